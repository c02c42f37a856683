/**
 * SRT and WebVTT parsing and SRT writing. Both formats share the cue shape
 * `start --> end` followed by text lines, so one parser reads both.
 */
import type { Cue } from './reel';

const TIMESTAMP = /(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})/;

/** A subtitle file that is not SRT or WebVTT; `line` is 1-based. */
export class SubtitleSyntaxError extends Error {
  override name = 'SubtitleSyntaxError';
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

export function parseTimestamp(text: string): number {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) throw new Error(`not a subtitle timestamp: "${text.trim().slice(0, 40)}"`);
  const [, h, m, s, ms] = match;
  // Whole milliseconds first, so 00:02.280 is 2.28 and not 2.2800000000000002.
  return ((Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s)) * 1000 + Number((ms ?? '0').padEnd(3, '0'))) / 1000;
}

/** Removes markup that subtitle files carry inside text: <i>, <v Speaker>, {\an8}. */
function cleanText(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Parses SRT or WebVTT text into cues sorted by start time. Cues with no text are dropped. A
 * timing line that cannot be read, or a file with no timing line at all, is a SubtitleSyntaxError
 * naming the line.
 */
export function parseSubtitles(content: string): Cue[] {
  const lines = content
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  const cues: Cue[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.includes('-->')) continue;
    const [startText, rest] = line.split('-->');
    // WebVTT cue settings (align:start, position:10%) follow the end time.
    const endText = (rest ?? '').trim().split(/\s+/)[0] ?? '';
    let startS: number;
    let endS: number;
    try {
      startS = parseTimestamp(startText ?? '');
      endS = parseTimestamp(endText);
    } catch (err) {
      throw new SubtitleSyntaxError(i + 1, (err as Error).message);
    }
    // A cue's text runs to an empty line. YouTube's captions put a line holding one space inside
    // a cue, so a whitespace-only line does not end it; the next timing line always does.
    const text: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1] ?? '') !== '' && !(lines[i + 1] ?? '').includes('-->')) {
      text.push(lines[++i] ?? '');
    }
    // An SRT index number directly before the next timing line belongs to the next cue.
    if ((lines[i + 1] ?? '').includes('-->') && /^\s*\d+\s*$/.test(text.at(-1) ?? '')) text.pop();
    const cleaned = cleanText(text.join(' '));
    if (cleaned && endS > startS) cues.push({ startS, endS, text: cleaned });
  }
  if (!lines.some((line) => line.includes('-->'))) {
    const first = lines.findIndex((line) => line.trim() !== '');
    throw new SubtitleSyntaxError(
      first + 1,
      first < 0 ? 'the file is empty' : 'no "start --> end" timing line: not an SRT or WebVTT file',
    );
  }
  return withoutRollingRepeats(cues.sort((a, b) => a.startS - b.startS));
}

/**
 * Auto-captions (YouTube's) roll: each cue repeats the line before it and adds a new one, with
 * 10 ms cues holding a repeated line alone. Keeps only what each cue adds, so every word is said
 * once. A cue counts as a repeat only when it starts with the whole previous cue of 2+ words (or
 * is the same text), which ordinary subtitles practically never do.
 */
function withoutRollingRepeats(cues: Cue[]): Cue[] {
  const kept: Cue[] = [];
  let previous = '';
  for (const cue of cues) {
    let text = cue.text;
    if (text === previous) continue;
    if (previous.split(' ').length >= 2 && text.startsWith(`${previous} `)) text = text.slice(previous.length + 1);
    previous = cue.text;
    kept.push(text === cue.text ? cue : { ...cue, text });
  }
  return kept;
}

function formatTimestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)},${pad(ms % 1000, 3)}`;
}

export function formatSrt(cues: Cue[]): string {
  return cues
    .map((cue, i) => `${i + 1}\n${formatTimestamp(cue.startS)} --> ${formatTimestamp(cue.endS)}\n${cue.text}\n`)
    .join('\n');
}
