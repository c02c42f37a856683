/**
 * Where a user's own media go in the reel (the cutaways and overlay images named in the request's
 * instructions): at a time in the reel or where a phrase is spoken. User cutaways never overlap
 * each other and are planned before B-roll, which then steps around them. Anything that cannot be
 * placed is skipped with the reason recorded; user media never fail a run.
 */
import type { Placement, PlacementPlan } from './cutaways';
import { anchorReelS, GAP_S, MIN_VISIBLE_S, round } from './cutaways';
import type { MediaTiming, Transition } from './directives';
import type { Cue } from './reel';

/** A user cutaway shows at most this long unless the instructions say otherwise. */
export const USER_CUTAWAY_MAX_S = 8;
export const OVERLAY_DEFAULT_S = 3;
/** Shorter than this an overlay is a flash, not something a viewer can read. */
const MIN_OVERLAY_S = 0.5;

/** One user file as ASSEMBLY saw it: the directive plus what probing the file found. */
export interface UserMediaItem {
  /** `cutaway-<n>` / `overlay-<n>`, numbered as in directives.json (from 1). */
  key: string;
  path: string;
  at: MediaTiming;
  durationS?: number;
  /** The file's own length (cutaways); absent or 0 when it could not be read. */
  mediaDurationS?: number;
  /** Why the file cannot be used at all (unreadable, no picture), found before planning. */
  problem?: string;
}

export interface UserPlacement extends Placement {
  /** Where the instructions asked for it. */
  at: MediaTiming;
}
export interface UserSkip {
  key: string;
  path: string;
  reason: string;
}
export interface UserPlan {
  placed: UserPlacement[];
  skipped: UserSkip[];
}

/** What broll-placements.json records about user media, next to the B-roll plan. */
export interface UserMediaRecord {
  transition: Transition;
  cutaways: UserPlan;
  overlays: UserPlan;
  /** The composite pass failed with user media in it; the reel was made again without them. */
  failure?: string;
}

export type PlacementsRecord = PlacementPlan & { failure?: string; userMedia?: UserMediaRecord };

/** Seconds into the reel where the item was asked for, or why it has no place. */
function requestedStart(
  at: MediaTiming,
  cues: Cue[],
  momentStartS: number,
  reelDurationS: number,
): { startS: number } | { reason: string } {
  if ('reelS' in at) {
    return at.reelS >= reelDurationS
      ? { reason: `${at.reelS} s is past the end of the reel (${reelDurationS.toFixed(1)} s)` }
      : { startS: at.reelS };
  }
  const startS = anchorReelS(at.anchor, cues, momentStartS);
  return startS === undefined ? { reason: `anchor "${at.anchor}" is not spoken in the moment` } : { startS };
}

const skip = (item: UserMediaItem, reason: string): UserSkip => ({ key: item.key, path: item.path, reason });

/**
 * User cutaways: the clip's own length capped at USER_CUTAWAY_MAX_S, or `durationS` (never longer
 * than the clip), cut at the reel's end. One that would overlap an earlier one starts after it.
 */
export function planUserCutaways(
  items: UserMediaItem[],
  cues: Cue[],
  momentStartS: number,
  reelDurationS: number,
): UserPlan {
  const plan: UserPlan = { placed: [], skipped: [] };
  const wanted: { item: UserMediaItem; startS: number; durationS: number }[] = [];
  for (const item of items) {
    if (item.problem) {
      plan.skipped.push(skip(item, item.problem));
      continue;
    }
    const clipS = item.mediaDurationS ?? 0;
    if (clipS <= 0) {
      plan.skipped.push(skip(item, 'the clip has no length that could be read'));
      continue;
    }
    const start = requestedStart(item.at, cues, momentStartS, reelDurationS);
    if ('reason' in start) plan.skipped.push(skip(item, start.reason));
    else
      wanted.push({
        item,
        startS: start.startS,
        durationS: Math.min(item.durationS ?? USER_CUTAWAY_MAX_S, clipS),
      });
  }
  // Stable: two cutaways asked for the same moment keep the instructions' order.
  wanted.sort((a, b) => a.startS - b.startS);
  let freeFrom = 0;
  let previous: string | undefined;
  for (const { item, startS, durationS: asked } of wanted) {
    const start = Math.max(startS, freeFrom);
    const durationS = Math.min(asked, reelDurationS - start);
    // A short clip the user asked for is shown as it is; only a cut-down one must stay watchable.
    if (durationS < Math.min(MIN_VISIBLE_S, asked) - 0.001) {
      plan.skipped.push(
        skip(
          item,
          start > startS
            ? `overlaps the user's cutaway ${previous} and no room is left after it`
            : 'too close to the end of the reel',
        ),
      );
      continue;
    }
    const notes = [
      start > startS ? `moved from ${startS.toFixed(1)} s to follow the user's cutaway ${previous}` : '',
      durationS < asked - 0.001 ? 'cut at the end of the reel' : '',
    ].filter(Boolean);
    plan.placed.push({
      key: item.key,
      path: item.path,
      at: item.at,
      startS: round(start),
      durationS: round(durationS),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    });
    freeFrom = start + durationS + GAP_S;
    previous = item.key;
  }
  return plan;
}

/** Overlay images: `durationS` (default 3 s) from their place, cut at the reel's end; they may overlap. */
export function planOverlays(
  items: UserMediaItem[],
  cues: Cue[],
  momentStartS: number,
  reelDurationS: number,
): UserPlan {
  const plan: UserPlan = { placed: [], skipped: [] };
  for (const item of items) {
    if (item.problem) {
      plan.skipped.push(skip(item, item.problem));
      continue;
    }
    const start = requestedStart(item.at, cues, momentStartS, reelDurationS);
    if ('reason' in start) {
      plan.skipped.push(skip(item, start.reason));
      continue;
    }
    const asked = item.durationS ?? OVERLAY_DEFAULT_S;
    const durationS = Math.min(asked, reelDurationS - start.startS);
    if (durationS < Math.min(MIN_OVERLAY_S, asked)) {
      plan.skipped.push(skip(item, 'too close to the end of the reel'));
      continue;
    }
    plan.placed.push({
      key: item.key,
      path: item.path,
      at: item.at,
      startS: round(start.startS),
      durationS: round(durationS),
      ...(durationS < asked - 0.001 ? { note: 'cut at the end of the reel' } : {}),
    });
  }
  return plan;
}
