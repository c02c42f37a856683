/**
 * SRT and WebVTT parsing and SRT writing. Both formats share the cue shape
 * `start --> end` followed by text lines, so one parser reads both.
 */
import type { Cue } from './reel';

const TIMESTAMP = /(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})/;

export function parseTimestamp(text: string): number {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) throw new Error(`not a subtitle timestamp: "${text}"`);
  const [, h, m, s, ms] = match;
  return Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s) + Number((ms ?? '0').padEnd(3, '0')) / 1000;
}

/** Removes markup that subtitle files carry inside text: <i>, <v Speaker>, {\an8}. */
function cleanText(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Parses SRT or WebVTT text into cues sorted by start time. Cues with no text are dropped. */
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
    const startS = parseTimestamp(startText ?? '');
    const endS = parseTimestamp(endText);
    const text: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') text.push(lines[++i] ?? '');
    const cleaned = cleanText(text.join(' '));
    if (cleaned && endS > startS) cues.push({ startS, endS, text: cleaned });
  }
  return cues.sort((a, b) => a.startS - b.startS);
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
