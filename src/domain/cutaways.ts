/**
 * Where B-roll cutaways go in the reel: each clip starts where its narrative anchor is spoken
 * (matched against the moment's transcript, exactly or by word overlap), clips never overlap each
 * other nor the spans a user's own cutaways hold, and a clip that cannot be placed is skipped with
 * the reason recorded.
 */
import type { BrollClip } from './broll';
import type { Cue } from './reel';
import { normaliseText } from './text';

export interface Placement {
  key: string;
  path: string;
  /** Seconds from the start of the reel. */
  startS: number;
  durationS: number;
  /** Why the clip is not exactly where it was asked for (moved or shortened), when it is not. */
  note?: string;
}

export interface PlacementPlan {
  placed: Placement[];
  skipped: { key: string; reason: string }[];
}

/** A span of the reel already taken (by a user's cutaway), in reel seconds. */
export interface ReservedSpan {
  key: string;
  startS: number;
  endS: number;
}

/** Gap kept between two cutaways, and the shortest cutaway worth showing. */
export const GAP_S = 0.25;
export const MIN_VISIBLE_S = 1.5;
/** Share of an anchor's words that must appear in a cue for a fuzzy match. */
const FUZZY_MATCH = 0.6;

/** The cue where `anchor` is spoken: an exact (normalised) match first, else the best word overlap. */
export function findAnchorCue(anchor: string, cues: Cue[]): Cue | undefined {
  const wanted = normaliseText(anchor);
  if (!wanted) return undefined;
  const exact = cues.find((cue) => normaliseText(cue.text).includes(wanted));
  if (exact) return exact;
  const words = new Set(wanted.split(' '));
  let best: { cue: Cue; share: number } | undefined;
  for (const cue of cues) {
    const cueWords = new Set(normaliseText(cue.text).split(' '));
    const share = [...words].filter((word) => cueWords.has(word)).length / words.size;
    if (share >= FUZZY_MATCH && (!best || share > best.share)) best = { cue, share };
  }
  return best?.cue;
}

/** When the cue has word timings, the time its words say the anchor starts; else the cue's start. */
function anchorStartS(anchor: string, cue: Cue): number {
  const wanted = normaliseText(anchor).split(' ');
  const words = (cue.words ?? []).map((word) => normaliseText(word.w));
  for (let i = 0; i + wanted.length <= words.length; i++) {
    if (wanted.every((word, k) => words[i + k] === word)) return cue.words?.[i]?.startS ?? cue.startS;
  }
  return cue.startS;
}

/** Seconds into the reel where `anchor` is spoken (cues are in source time), or undefined. */
export function anchorReelS(anchor: string, cues: Cue[], momentStartS: number): number | undefined {
  const cue = findAnchorCue(anchor, cues);
  return cue ? Math.max(0, anchorStartS(anchor, cue) - momentStartS) : undefined;
}

/**
 * The first start at or after `startS` where at least `minS` seconds fit before the next reserved
 * span (keeping GAP_S on both sides), and the reserved span that pushed it there, if any.
 */
function firstFreeStart(
  startS: number,
  minS: number,
  reserved: ReservedSpan[],
): { startS: number; pushedBy?: string; nextS?: number } {
  let start = startS;
  let pushedBy: string | undefined;
  for (const span of reserved) {
    if (start >= span.endS + GAP_S) continue;
    if (start + minS + GAP_S <= span.startS) return { startS: start, pushedBy, nextS: span.startS - GAP_S };
    start = span.endS + GAP_S;
    pushedBy = span.key;
  }
  return { startS: start, pushedBy };
}

export function planCutaways(
  clips: BrollClip[],
  cues: Cue[],
  momentStartS: number,
  reelDurationS: number,
  reserved: ReservedSpan[] = [],
): PlacementPlan {
  const plan: PlacementPlan = { placed: [], skipped: [] };
  const taken = [...reserved].sort((a, b) => a.startS - b.startS);
  const anchored: { clip: BrollClip; startS: number }[] = [];
  for (const clip of clips) {
    const startS = anchorReelS(clip.narrativeAnchor, cues, momentStartS);
    if (startS === undefined)
      plan.skipped.push({ key: clip.key, reason: `anchor "${clip.narrativeAnchor}" is not spoken in the moment` });
    else anchored.push({ clip, startS });
  }
  anchored.sort((a, b) => a.startS - b.startS);
  let freeFrom = 0;
  for (const { clip, startS } of anchored) {
    const free = firstFreeStart(Math.max(startS, freeFrom), MIN_VISIBLE_S, taken);
    const start = free.startS;
    const durationS = Math.min(clip.durationS, reelDurationS - start, (free.nextS ?? Infinity) - start);
    if (durationS < MIN_VISIBLE_S) {
      plan.skipped.push({
        key: clip.key,
        reason: free.pushedBy
          ? `the user's cutaway ${free.pushedBy} covers its anchor and no room is left after it`
          : start > startS
            ? 'no room left after the previous cutaway'
            : 'too close to the end of the reel',
      });
      continue;
    }
    const notes = [
      free.pushedBy ? `moved from ${startS.toFixed(1)} s past the user's cutaway ${free.pushedBy}` : '',
      free.nextS !== undefined && durationS < clip.durationS && start + durationS >= free.nextS - 0.001
        ? "shortened to end before a user's cutaway"
        : '',
    ].filter(Boolean);
    plan.placed.push({
      key: clip.key,
      path: clip.path,
      startS: round(start),
      durationS: round(durationS),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    });
    freeFrom = start + durationS + GAP_S;
  }
  return plan;
}

export const round = (n: number) => Math.round(n * 1000) / 1000;
