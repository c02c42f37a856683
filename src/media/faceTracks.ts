/**
 * From faces per sampled frame to people over time: tracks (identity by position and size
 * continuity) and who is speaking (mouth movement while the audio has speech). Pure functions,
 * tested without the detector.
 */
import type { Box } from '../domain/reel';

export interface FaceObservation {
  box: Box;
  score: number;
  eyesY: number;
  mouthOpen: number;
}

export interface TrackedFace extends FaceObservation {
  track: number;
}

/** Faces seen in one sampled frame. */
export interface FaceFrame {
  atS: number;
  faces: FaceObservation[];
}

/** A face in the next frame is the same person if its centre moved less than this many face widths. */
const SAME_FACE_DISTANCE = 0.8;
/** …and its size changed by less than this factor. */
const SAME_FACE_SIZE = 1.6;
/** A track unseen for this long has ended (the person left, or a cut). */
const TRACK_GAP_S = 1.5;
/** Tracks seen in fewer frames than this are detector noise (a poster, a knuckle), not people. */
const MIN_TRACK_FRAMES = 3;

const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/**
 * Gives every face a track id: each face joins the nearest live track it could plausibly be (closest
 * pairs first), or starts a new one. Tracks too short to be a person are dropped from the result.
 */
export function trackFaces(frames: FaceFrame[]): TrackedFace[][] {
  const live: { id: number; box: Box; lastS: number }[] = [];
  let nextId = 1;
  const assigned = frames.map((frame) => {
    for (let i = live.length - 1; i >= 0; i--) if (frame.atS - live[i]!.lastS > TRACK_GAP_S) live.splice(i, 1);
    const pairs: { face: number; track: number; cost: number }[] = [];
    frame.faces.forEach((face, f) => {
      live.forEach((track, t) => {
        const a = centre(face.box);
        const b = centre(track.box);
        const width = Math.max(face.box.w, track.box.w);
        const cost = Math.hypot(a.x - b.x, a.y - b.y) / width;
        const ratio = Math.max(face.box.w / track.box.w, track.box.w / face.box.w);
        if (cost < SAME_FACE_DISTANCE && ratio < SAME_FACE_SIZE) pairs.push({ face: f, track: t, cost });
      });
    });
    pairs.sort((p, q) => p.cost - q.cost);
    const trackOf = new Map<number, number>();
    const taken = new Set<number>();
    for (const p of pairs) {
      if (trackOf.has(p.face) || taken.has(p.track)) continue;
      trackOf.set(p.face, p.track);
      taken.add(p.track);
    }
    return frame.faces.map((face, f): TrackedFace => {
      const index = trackOf.get(f);
      if (index !== undefined) {
        const track = live[index]!;
        track.box = face.box;
        track.lastS = frame.atS;
        return { ...face, track: track.id };
      }
      const track = { id: nextId++, box: face.box, lastS: frame.atS };
      live.push(track);
      return { ...face, track: track.id };
    });
  });
  const counts = new Map<number, number>();
  for (const faces of assigned) for (const f of faces) counts.set(f.track, (counts.get(f.track) ?? 0) + 1);
  const enough = Math.min(MIN_TRACK_FRAMES, frames.length);
  return assigned.map((faces) => faces.filter((f) => (counts.get(f.track) ?? 0) >= enough));
}

/** Seconds either side of a sample over which mouth movement is measured. */
const MOUTH_WINDOW_S = 1;
/** Mouth-opening spread (std dev, in face heights) below this is a closed or still mouth. */
const MIN_MOUTH_ACTIVITY = 0.008;
/** The speaker's mouth must move this many times more than anyone else's. */
const SPEAKER_MARGIN = 1.5;
/** Audio louder than this (RMS dBFS) counts as speech. */
export const SPEECH_DB = -45;

/** How much each track's mouth moves around each sample (std dev of its opening within the window). */
export function mouthActivity(frames: TrackedFace[][], times: number[]): Map<number, number>[] {
  return frames.map((_, i) => {
    const series = new Map<number, number[]>();
    frames.forEach((faces, j) => {
      if (Math.abs(times[j]! - times[i]!) > MOUTH_WINDOW_S) return;
      for (const f of faces) series.set(f.track, [...(series.get(f.track) ?? []), f.mouthOpen]);
    });
    const activity = new Map<number, number>();
    for (const [track, values] of series) {
      if (values.length < 3) continue;
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      activity.set(track, Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length));
    }
    return activity;
  });
}

/**
 * The active speaker at each sample: while the audio has speech, the visible face whose mouth moves
 * clearly most; null in pauses, with one face or none, or when no mouth stands out.
 */
export function activeSpeakers(frames: TrackedFace[][], times: number[], speech: boolean[]): (number | null)[] {
  const activity = mouthActivity(frames, times);
  return frames.map((faces, i) => {
    if (!speech[i] || faces.length < 2) return null;
    const ranked = faces.map((f) => ({ track: f.track, a: activity[i]!.get(f.track) ?? 0 })).sort((p, q) => q.a - p.a);
    const [best, next] = ranked;
    if (!best || best.a < MIN_MOUTH_ACTIVITY) return null;
    return best.a > (next?.a ?? 0) * SPEAKER_MARGIN ? best.track : null;
  });
}

/**
 * Each track's speaking score over the moment: its mean mouth activity while there is speech minus
 * its mean activity in pauses (a mouth that moves only when the audio does is the one talking).
 */
export function speakingScores(frames: TrackedFace[][], times: number[], speech: boolean[]): Record<number, number> {
  const activity = mouthActivity(frames, times);
  const sums = new Map<number, { talk: number[]; quiet: number[] }>();
  activity.forEach((byTrack, i) => {
    for (const [track, a] of byTrack) {
      const entry = sums.get(track) ?? { talk: [], quiet: [] };
      (speech[i] ? entry.talk : entry.quiet).push(a);
      sums.set(track, entry);
    }
  });
  const mean = (v: number[]) => (v.length > 0 ? v.reduce((s, x) => s + x, 0) / v.length : 0);
  const out: Record<number, number> = {};
  for (const [track, { talk, quiet }] of sums) out[track] = Math.round((mean(talk) - mean(quiet)) * 10000) / 10000;
  return out;
}
