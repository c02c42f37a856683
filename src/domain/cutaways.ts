/**
 * Where B-roll cutaways go in the reel: each clip starts where its narrative anchor is spoken
 * (matched against the moment's transcript, exactly or by word overlap), clips never overlap, and
 * a clip that cannot be placed is skipped with the reason recorded.
 */
import type { BrollClip } from './broll';
import type { Cue } from './reel';

export interface Placement {
  key: string;
  path: string;
  /** Seconds from the start of the reel. */
  startS: number;
  durationS: number;
}

export interface PlacementPlan {
  placed: Placement[];
  skipped: { key: string; reason: string }[];
}

/** Gap kept between two cutaways, and the shortest cutaway worth showing. */
const GAP_S = 0.25;
const MIN_VISIBLE_S = 1.5;
/** Share of an anchor's words that must appear in a cue for a fuzzy match. */
const FUZZY_MATCH = 0.6;

const normalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** The cue where `anchor` is spoken: an exact (normalised) match first, else the best word overlap. */
export function findAnchorCue(anchor: string, cues: Cue[]): Cue | undefined {
  const wanted = normalise(anchor);
  if (!wanted) return undefined;
  const exact = cues.find((cue) => normalise(cue.text).includes(wanted));
  if (exact) return exact;
  const words = new Set(wanted.split(' '));
  let best: { cue: Cue; share: number } | undefined;
  for (const cue of cues) {
    const cueWords = new Set(normalise(cue.text).split(' '));
    const share = [...words].filter((word) => cueWords.has(word)).length / words.size;
    if (share >= FUZZY_MATCH && (!best || share > best.share)) best = { cue, share };
  }
  return best?.cue;
}

export function planCutaways(
  clips: BrollClip[],
  cues: Cue[],
  momentStartS: number,
  reelDurationS: number,
): PlacementPlan {
  const plan: PlacementPlan = { placed: [], skipped: [] };
  const anchored: { clip: BrollClip; startS: number }[] = [];
  for (const clip of clips) {
    const cue = findAnchorCue(clip.narrativeAnchor, cues);
    if (!cue)
      plan.skipped.push({ key: clip.key, reason: `anchor "${clip.narrativeAnchor}" is not spoken in the moment` });
    else anchored.push({ clip, startS: Math.max(0, cue.startS - momentStartS) });
  }
  anchored.sort((a, b) => a.startS - b.startS);
  let freeFrom = 0;
  for (const { clip, startS } of anchored) {
    const start = Math.max(startS, freeFrom);
    const durationS = Math.min(clip.durationS, reelDurationS - start);
    if (durationS < MIN_VISIBLE_S) {
      plan.skipped.push({
        key: clip.key,
        reason: start > startS ? 'no room left after the previous cutaway' : 'too close to the end of the reel',
      });
      continue;
    }
    plan.placed.push({ key: clip.key, path: clip.path, startS: round(start), durationS: round(durationS) });
    freeFrom = start + durationS + GAP_S;
  }
  return plan;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
