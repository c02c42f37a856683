/**
 * Captions of a reel, as data: each spoken word with its reel-relative time, grouped into pages
 * (what is on screen at once: lines broken at phrase boundaries, at most two of about 32
 * characters), the hook title's text, and the caption files (SRT, WebVTT) cut from the same pages
 * the burned captions show. Pure functions; src/domain/captionsAss.ts draws the pages.
 */
import type { CaptionStyle } from './render';
import { hookFrom, strongestLine } from './moment';
import type { Cue, Moment } from './reel';

/** One spoken word, seconds from the start of the reel. */
export interface TimedWord {
  text: string;
  startS: number;
  endS: number;
}

/** Where the words' times came from: the transcript's own word timings, estimates inside each cue, or both. */
export type WordTiming = 'transcript' | 'estimated' | 'mixed';

/** What is on screen at once: its lines, each a run of the page's words. */
export interface CaptionPage {
  startS: number;
  endS: number;
  words: TimedWord[];
  /** Index into `words` where each line after the first starts. */
  lineBreaks: number[];
}

/** Characters a caption line holds at most (about; a single longer word gets a line of its own). */
export const LINE_CHARS = 32;
/** A pause this long between two words starts a new page. */
const PAGE_PAUSE_S = 0.6;
/** A page stays up at most this long after its last word ends, unless the next page starts sooner. */
const PAGE_HOLD_S = 0.4;

/** Lines a page may have in each style (`none` draws nothing). */
export function maxLines(style: CaptionStyle): number {
  return style === 'minimal' ? 1 : 2;
}

/**
 * A cue's words with times spread over the cue in proportion to their length (a long word takes
 * longer to say), never outside the cue. Used when the transcript carries no word timings.
 */
export function estimateWords(cue: Cue): TimedWord[] {
  const words = cue.text.split(/\s+/).filter(Boolean);
  const weights = words.map((w) => w.replace(/[^\p{L}\p{N}]/gu, '').length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const span = cue.endS - cue.startS;
  let at = cue.startS;
  return words.map((text, i) => {
    const startS = at;
    at = i === words.length - 1 ? cue.endS : at + (span * weights[i]!) / total;
    return { text, startS, endS: at };
  });
}

/**
 * Every word of the moment in reel time (source time minus the moment's start), clipped to the
 * reel: from each cue's own word timings when it has them, otherwise estimated inside the cue.
 */
export function reelWords(
  cues: Cue[],
  momentStartS: number,
  reelDurationS: number,
): { words: TimedWord[]; timing: WordTiming; estimatedCues: number } {
  const words: TimedWord[] = [];
  let estimatedCues = 0;
  let timedCues = 0;
  for (const cue of cues) {
    if (cue.endS <= momentStartS || cue.startS >= momentStartS + reelDurationS) continue;
    const given = cue.words && cue.words.length > 0;
    if (given) timedCues++;
    else estimatedCues++;
    const source = given ? cue.words!.map((w) => ({ text: w.w, startS: w.startS, endS: w.endS })) : estimateWords(cue);
    for (const w of source) {
      const startS = Math.max(0, w.startS - momentStartS);
      const endS = Math.min(reelDurationS, w.endS - momentStartS);
      if (endS > startS && w.text.trim()) words.push({ text: w.text.trim(), startS: round(startS), endS: round(endS) });
    }
  }
  words.sort((a, b) => a.startS - b.startS);
  const timing: WordTiming = estimatedCues === 0 ? 'transcript' : timedCues === 0 ? 'estimated' : 'mixed';
  return { words, timing, estimatedCues };
}

const endsSentence = (w: string) => /[.!?…]["')\]]*$/.test(w);
const endsPhrase = (w: string) => /[,;:\u2014\u2013-]["')\]]*$/.test(w);

/**
 * Groups words into pages. A page ends after a sentence, at a pause, or when its lines are full;
 * a line breaks where it would pass `LINE_CHARS`, or earlier after a comma-like phrase end once it
 * is more than half full, so lines read as phrases.
 */
export function paginate(words: TimedWord[], style: CaptionStyle, reelDurationS: number): CaptionPage[] {
  if (style === 'none') return [];
  const linesAllowed = maxLines(style);
  const pages: CaptionPage[] = [];
  let page: TimedWord[] = [];
  let breaks: number[] = [];
  let lineLength = 0;
  const close = () => {
    if (page.length > 0)
      pages.push({ startS: page[0]!.startS, endS: page.at(-1)!.endS, words: page, lineBreaks: breaks });
    page = [];
    breaks = [];
    lineLength = 0;
  };
  for (const word of words) {
    const previous = page.at(-1);
    if (previous && word.startS - previous.endS >= PAGE_PAUSE_S) close();
    const added = lineLength === 0 ? word.text.length : lineLength + 1 + word.text.length;
    if (page.length > 0 && added > LINE_CHARS) {
      if (breaks.length + 1 < linesAllowed) {
        breaks.push(page.length);
        lineLength = 0;
      } else close();
    }
    page.push(word);
    lineLength = lineLength === 0 ? word.text.length : lineLength + 1 + word.text.length;
    if (endsSentence(word.text)) close();
    else if (endsPhrase(word.text) && lineLength > LINE_CHARS / 2) {
      if (breaks.length + 1 < linesAllowed) {
        breaks.push(page.length);
        lineLength = 0;
      } else close();
    }
  }
  close();
  // A page stays up a little after its last word, never into the next page nor past the reel.
  return pages.map((p, i) => {
    const next = pages[i + 1]?.startS ?? reelDurationS;
    return { ...p, endS: round(Math.min(next, reelDurationS, Math.max(p.endS, p.endS + PAGE_HOLD_S))) };
  });
}

/** A page's lines as text. */
export function pageLines(page: CaptionPage): string[] {
  const starts = [0, ...page.lineBreaks];
  return starts.map((start, i) =>
    page.words
      .slice(start, starts[i + 1] ?? page.words.length)
      .map((w) => w.text)
      .join(' '),
  );
}

/**
 * The hook title: the moment's own hook line when it has one, else a title made of its strongest
 * sentence (moment.ts: strongestLine, hookFrom), as an episode's hooks are made.
 */
export function hookTitle(moment: Pick<Moment, 'hook' | 'cues' | 'startS' | 'endS'>): {
  text: string;
  from: 'moment' | 'strongest line';
} | null {
  if (moment.hook?.trim()) return { text: moment.hook.trim(), from: 'moment' };
  const inMoment = moment.cues.filter((c) => c.endS > moment.startS && c.startS < moment.endS);
  const strongest = strongestLine(inMoment);
  if (!strongest) return null;
  return { text: hookFrom(strongest), from: 'strongest line' };
}

function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

/** reel.srt: one cue per page, reel-relative times, the page's lines. */
export function pagesToSrt(pages: CaptionPage[]): string {
  return pages
    .map((p, i) => `${i + 1}\n${timestamp(p.startS, ',')} --> ${timestamp(p.endS, ',')}\n${pageLines(p).join('\n')}\n`)
    .join('\n');
}

/** reel.vtt: the same cues as reel.srt, in WebVTT. */
export function pagesToVtt(pages: CaptionPage[]): string {
  const cues = pages.map(
    (p) => `${timestamp(p.startS, '.')} --> ${timestamp(p.endS, '.')}\n${pageLines(p).join('\n')}\n`,
  );
  return `WEBVTT\n\n${cues.join('\n')}`;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
