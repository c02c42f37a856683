/**
 * Emotional peaks of a stretch of audio, from per-step loudness and pitch (measured by
 * src/media/audioFeatures.ts). Pure: the moment scorer calls it for every candidate window.
 *
 * An animated speaker gets louder and quieter, raises their voice in bursts and moves their pitch
 * around; a flat delivery does none of that. Each component measures one of those, in a range the
 * scorer can weigh and a person can read in the breakdown.
 */
import { z } from 'zod';

/**
 * Loudness and pitch of an audio track, one value per step of `stepS` seconds from the start:
 * step i covers [i·stepS, (i+1)·stepS). Empty arrays when the file has no audio.
 */
export const AudioFeaturesSchema = z.object({
  stepS: z.number().positive(),
  /** RMS loudness in dBFS (0 is full scale); silence is floored at SILENCE_FLOOR_DB. */
  loudnessDb: z.array(z.number()),
  /** Median voiced pitch in Hz, or null when the step has (almost) no voiced sound. */
  pitchHz: z.array(z.number().positive().nullable()),
});
export type AudioFeatures = z.infer<typeof AudioFeaturesSchema>;

/** Loudness reported for digital silence. */
export const SILENCE_FLOOR_DB = -90;
/** Steps at or below this are pauses: they take no part in loudness variation or peaks. */
export const SILENT_STEP_DB = -50;
/** A step this much louder than the window's median (non-silent) loudness is part of a peak. */
export const PEAK_ABOVE_MEDIAN_DB = 6;
/** Loudness standard deviation that scores 1 (animated speech at 1 s steps spreads about this much). */
const FULL_LOUDNESS_SPREAD_DB = 10;
/** Pitch standard deviation, in semitones, that scores 1. */
const FULL_PITCH_SPREAD_ST = 5;
/** Fewer usable steps than this in a window say nothing about variation: the component is 0. */
const MIN_STEPS = 3;

export interface EmotionScore {
  /**
   * Loudness variation, 0..1: the standard deviation of loudness (dB) over the window's non-silent
   * steps, divided by 10 dB and capped at 1.
   */
  loudness: number;
  /**
   * Pitch variation, 0..1: the standard deviation of the voiced steps' pitch in semitones (so a
   * rise from 100 to 200 Hz counts as much as one from 200 to 400 Hz), divided by 5 semitones and
   * capped at 1. Steps without a voiced pitch are left out.
   */
  pitch: number;
  /**
   * Loudness peaks, a count (0, 1, 2, …): runs of consecutive steps at least 6 dB louder than the
   * median loudness of the window's non-silent steps; neighbouring loud steps are one peak.
   */
  peaks: number;
}

const NONE: EmotionScore = { loudness: 0, pitch: 0, peaks: 0 };

/**
 * Prepares features for scoring many windows: prefix sums make loudness and pitch variation O(1)
 * per window; peaks need the window's median, so they cost a sort of the window's steps (about 90
 * values for a reel-length window). The returned function scores [startS, endS): a step belongs to
 * the window when its centre does.
 */
export function prepareEmotion(features: AudioFeatures): (startS: number, endS: number) => EmotionScore {
  const { stepS, loudnessDb, pitchHz } = features;
  // The arrays come out the same length; if not, missing steps count as silent and unvoiced.
  const n = Math.max(loudnessDb.length, pitchHz.length);
  // prefix[i] holds the sum over steps [0, i).
  const loudCount = new Float64Array(n + 1);
  const loudSum = new Float64Array(n + 1);
  const loudSquares = new Float64Array(n + 1);
  const pitchCount = new Float64Array(n + 1);
  const pitchSum = new Float64Array(n + 1);
  const pitchSquares = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const db = loudnessDb[i] ?? SILENCE_FLOOR_DB;
    const audible = db > SILENT_STEP_DB;
    loudCount[i + 1] = (loudCount[i] ?? 0) + (audible ? 1 : 0);
    loudSum[i + 1] = (loudSum[i] ?? 0) + (audible ? db : 0);
    loudSquares[i + 1] = (loudSquares[i] ?? 0) + (audible ? db * db : 0);
    const hz = pitchHz[i];
    // Semitones above 100 Hz; the reference cancels out of a standard deviation.
    const st = hz ? 12 * Math.log2(hz / 100) : 0;
    pitchCount[i + 1] = (pitchCount[i] ?? 0) + (hz ? 1 : 0);
    pitchSum[i + 1] = (pitchSum[i] ?? 0) + st;
    pitchSquares[i + 1] = (pitchSquares[i] ?? 0) + st * st;
  }
  const scratch = new Float64Array(n);

  return (startS: number, endS: number): EmotionScore => {
    if (n === 0 || !(stepS > 0)) return NONE;
    const first = clamp(Math.ceil(startS / stepS - 0.5), 0, n);
    const end = clamp(Math.ceil(endS / stepS - 0.5), first, n);

    const loudness = spread(loudCount, loudSum, loudSquares, first, end) / FULL_LOUDNESS_SPREAD_DB;
    const pitch = spread(pitchCount, pitchSum, pitchSquares, first, end) / FULL_PITCH_SPREAD_ST;

    let audible = 0;
    for (let i = first; i < end; i++) {
      const db = loudnessDb[i] ?? SILENCE_FLOOR_DB;
      if (db > SILENT_STEP_DB) scratch[audible++] = db;
    }
    let peaks = 0;
    if (audible >= MIN_STEPS) {
      const sorted = scratch.subarray(0, audible).sort();
      const mid = audible >> 1;
      const median = audible % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
      let inPeak = false;
      for (let i = first; i < end; i++) {
        const loud = (loudnessDb[i] ?? SILENCE_FLOOR_DB) >= median + PEAK_ABOVE_MEDIAN_DB;
        if (loud && !inPeak) peaks++;
        inPeak = loud;
      }
    }
    return { loudness: Math.min(1, loudness), pitch: Math.min(1, pitch), peaks };
  };
}

/** One-off scoring of a single window; use prepareEmotion when scoring many. */
export function emotionScore(features: AudioFeatures, startS: number, endS: number): EmotionScore {
  return prepareEmotion(features)(startS, endS);
}

/** Population standard deviation over steps [first, end) from prefix sums; 0 with too few steps. */
function spread(count: Float64Array, sum: Float64Array, squares: Float64Array, first: number, end: number): number {
  const k = (count[end] ?? 0) - (count[first] ?? 0);
  if (k < MIN_STEPS) return 0;
  const mean = ((sum[end] ?? 0) - (sum[first] ?? 0)) / k;
  const variance = ((squares[end] ?? 0) - (squares[first] ?? 0)) / k - mean * mean;
  // Prefix-sum subtraction can leave a tiny negative variance for a constant series.
  return Math.sqrt(Math.max(0, variance));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
