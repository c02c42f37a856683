/**
 * The .ass file libass burns into the reel: caption pages in the chosen style with the spoken word
 * highlighted, placed clear of where the layout puts faces, and the hook title over the first
 * seconds. Sizes are in the reel's own pixels (PlayRes = the frame), so every aspect preset works.
 */
import type { CaptionPage, TimedWord } from './captions';
import { LINE_CHARS } from './captions';
import type { CropStrategy } from './reel';
import type { CaptionStyle } from './render';

/** Seconds the hook title stays up. */
export const HOOK_S = 2.5;

export interface AssInput {
  frame: { width: number; height: number };
  style: CaptionStyle;
  pages: CaptionPage[];
  /** The layout strategy that holds most of the reel: where its faces are decides the captions' height. */
  strategy: CropStrategy;
  /** Font family (config: CAPTION_FONT). */
  font: string;
  hook?: string;
  reelDurationS: number;
}

/** Where captions sit: an ASS alignment (2 bottom centre, 5 middle centre) and, at the bottom, the margin. */
export interface CaptionPlacement {
  alignment: 2 | 5;
  /** Distance from the frame's bottom edge to the captions, as a share of the height (alignment 2). */
  marginV: number;
}

/**
 * Where captions go so they cover no face in the layout. Faces sit in the upper part of every
 * framing (a follow crop puts the eyes on its upper third), so captions go low; two people stacked
 * top over bottom have their faces in the upper part of each half, so captions sit on the seam
 * between them (the top person's chest, above the bottom person's head); with the speaker's
 * thumbnail filling the bottom, they go under the speaker's face. The user's overlay images sit in
 * the upper third, so captions never meet them.
 */
export function captionPlacement(strategy: CropStrategy, frame: { width: number; height: number }): CaptionPlacement {
  const landscape = frame.width > frame.height;
  if (strategy === 'stack_halves' && !landscape) return { alignment: 5, marginV: 0 };
  if (strategy === 'content_over_speaker') return { alignment: 2, marginV: 0.04 };
  return { alignment: 2, marginV: landscape ? 0.07 : 0.14 };
}

// ASS colours are &HAABBGGRR (alpha 00 = opaque).
const WHITE = '&H00FFFFFF';
const YELLOW = '&H0000E5FF';
const GREY = '&H00C8C8C8';
const BLACK = '&H00000000';
const SHADE = '&H80000000';

/** Font size (px) for lines of LINE_CHARS characters across 90% of the width, capped by the height. */
function fontSize(frame: { width: number; height: number }, scale: number): number {
  // A bold sans glyph is about 0.6 em wide on average.
  return Math.round(Math.min((0.9 * frame.width) / (LINE_CHARS * 0.6), frame.height * 0.06) * scale);
}

/** Text safe inside an ASS event: braces and backslashes would be read as override tags. */
function escapeText(text: string): string {
  return text.replace(/[{}]/g, '').replace(/\\/g, '/');
}

function time(seconds: number): string {
  const cs = Math.max(0, Math.round(seconds * 100));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(cs / 360_000)}:${pad(Math.floor(cs / 6000) % 60)}:${pad(Math.floor(cs / 100) % 60)}.${pad(cs % 100)}`;
}

/** The page's lines joined by ASS line breaks, each word passed through `word`. */
function pageText(page: CaptionPage, word: (w: TimedWord, i: number) => string): string {
  const breaks = new Set(page.lineBreaks);
  return page.words.map((w, i) => `${breaks.has(i) ? '\\N' : i > 0 ? ' ' : ''}${word(w, i)}`).join('');
}

/** Events for one page: word-by-word (bold, minimal: one event per word, the spoken one coloured) or karaoke (a moving fill). */
function pageEvents(page: CaptionPage, style: Exclude<CaptionStyle, 'none'>): string[] {
  if (style === 'karaoke') {
    // \kf fills each word from the secondary colour to the primary over its duration (centiseconds).
    const text = pageText(page, (w, i) => {
      const next = page.words[i + 1]?.startS ?? page.endS;
      return `{\\kf${Math.max(1, Math.round((next - w.startS) * 100))}}${escapeText(w.text)}`;
    });
    return [`Dialogue: 0,${time(page.startS)},${time(page.endS)},Karaoke,,0,0,0,,${text}`];
  }
  const highlight = style === 'bold' ? YELLOW : WHITE;
  return page.words.map((spoken, k) => {
    const start = k === 0 ? page.startS : spoken.startS;
    const end = page.words[k + 1]?.startS ?? page.endS;
    const text = pageText(page, (w, i) =>
      i === k ? `{\\c${highlight}&}${escapeText(w.text)}{\\r}` : escapeText(w.text),
    );
    return `Dialogue: 0,${time(start)},${time(end)},${style === 'bold' ? 'Bold' : 'Minimal'},,0,0,0,,${text}`;
  });
}

/** The whole .ass document. */
export function formatAss(input: AssInput): string {
  const { frame, font } = input;
  const placement = captionPlacement(input.strategy, frame);
  const margin = Math.round(placement.marginV * frame.height);
  const at = placement.alignment;
  const side = Math.round(frame.width * 0.05);
  const big = fontSize(frame, 1);
  const small = fontSize(frame, 0.8);
  const outline = Math.max(2, Math.round(big / 12));
  // Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour,
  // Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow,
  // Alignment, MarginL, MarginR, MarginV, Encoding
  const styleLine = (name: string, size: number, primary: string, secondary: string, extra: string) =>
    `Style: ${name},${font},${size},${primary},${secondary},${extra}`;
  const styles = [
    styleLine(
      'Bold',
      big,
      WHITE,
      WHITE,
      `${BLACK},${SHADE},-1,0,0,0,100,100,0,0,1,${outline},2,${at},${side},${side},${margin},1`,
    ),
    // Karaoke: the line waits in white and fills with yellow as it is spoken.
    styleLine(
      'Karaoke',
      big,
      YELLOW,
      WHITE,
      `${BLACK},${SHADE},-1,0,0,0,100,100,0,0,1,${outline},2,${at},${side},${side},${margin},1`,
    ),
    // Minimal: one small line, plain (no outline colour tricks): grey words, the spoken one white, on a shaded box.
    styleLine(
      'Minimal',
      small,
      GREY,
      GREY,
      `${SHADE},${SHADE},0,0,0,0,100,100,0,0,3,${Math.round(small / 5)},0,${at},${side},${side},${margin},1`,
    ),
    // The hook title: large, on a dark box, at the top.
    styleLine(
      'Hook',
      Math.round(big * 1.15),
      WHITE,
      WHITE,
      `${SHADE},${SHADE},-1,0,0,0,100,100,0,0,3,${Math.round(big / 4)},0,8,${side},${side},${Math.round(frame.height * 0.08)},1`,
    ),
  ];
  const events: string[] = [];
  if (input.style !== 'none') for (const page of input.pages) events.push(...pageEvents(page, input.style));
  if (input.hook) {
    const end = Math.min(HOOK_S, input.reelDurationS);
    events.push(`Dialogue: 1,${time(0)},${time(end)},Hook,,0,0,0,,${wrapHook(escapeText(input.hook))}`);
  }
  return [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${frame.width}`,
    `PlayResY: ${frame.height}`,
    // Line breaks are ours (\N at phrase boundaries); libass must not re-wrap.
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    ...styles,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...events,
    '',
  ].join('\n');
}

/** The hook in at most two lines of about 24 characters (it is drawn larger than captions). */
function wrapHook(text: string): string {
  if (text.length <= 24) return text;
  const words = text.split(' ');
  let best = { at: 1, worst: Infinity };
  for (let at = 1; at < words.length; at++) {
    const worst = Math.max(words.slice(0, at).join(' ').length, words.slice(at).join(' ').length);
    if (worst < best.worst) best = { at, worst };
  }
  return `${words.slice(0, best.at).join(' ')}\\N${words.slice(best.at).join(' ')}`;
}

/** The strategy that covers most of the reel's time. */
export function dominantStrategy(segments: { strategy: CropStrategy; startS: number; endS: number }[]): CropStrategy {
  const time = new Map<CropStrategy, number>();
  for (const s of segments) time.set(s.strategy, (time.get(s.strategy) ?? 0) + s.endS - s.startS);
  return [...time.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'center_crop';
}
