/**
 * Picking the reel's moment from a transcript: every window that starts at a cue and ends on a
 * sentence end within the allowed length is scored, and the best one wins.
 *
 * Score (per window), documented so results can be explained:
 * - quotable: short declarative sentences (3–14 words), questions and numbers, per minute;
 * - hook: the first sentence is a question or a short punchy line (+2);
 * - resolution: the last sentence is a short declarative conclusion (+1);
 * - topic: each mention of a topic word is worth 10, so a topic dominates the rest.
 */
import type { Cue, Moment } from './reel';
import { MOMENT_MAX_S, MOMENT_MIN_S } from './reel';

export interface MomentRequest {
  cues: Cue[];
  /** Preferred length; without it the moment is 60–90 s. */
  durationS?: number;
  topic?: string;
}

export function momentBounds(durationS?: number): { minS: number; maxS: number } {
  if (durationS === undefined) return { minS: MOMENT_MIN_S, maxS: MOMENT_MAX_S };
  return { minS: Math.max(30, durationS - 5), maxS: Math.min(120, durationS + 5) };
}

const endsSentence = (text: string) => /[.!?]["')\]]*$/.test(text.trim());
const words = (text: string) => text.toLowerCase().match(/[a-z0-9']+/g) ?? [];

function sentenceScore(text: string): number {
  const count = words(text).length;
  let score = 0;
  if (text.trim().endsWith('?')) score += 1;
  else if (count >= 3 && count <= 14) score += 1;
  if (/\d/.test(text)) score += 1;
  return score;
}

function topicWords(topic?: string): string[] {
  return words(topic ?? '').filter((word) => word.length > 2);
}

export function scoreWindow(cues: Cue[], topic?: string): { score: number; breakdown: Record<string, number> } {
  const first = cues[0];
  const last = cues[cues.length - 1];
  if (!first || !last) return { score: 0, breakdown: {} };
  const minutes = Math.max((last.endS - first.startS) / 60, 0.1);
  const quotable = cues.reduce((sum, cue) => sum + sentenceScore(cue.text), 0) / minutes;
  const hook = first.text.trim().endsWith('?') || words(first.text).length <= 10 ? 2 : 0;
  const resolution = !last.text.trim().endsWith('?') && words(last.text).length <= 14 ? 1 : 0;
  const wanted = topicWords(topic);
  const mentions =
    wanted.length === 0 ? 0 : cues.flatMap((cue) => words(cue.text)).filter((w) => wanted.includes(w)).length;
  const topicScore = mentions * 10;
  const breakdown = {
    quotable: round(quotable),
    hook,
    resolution,
    topic: topicScore,
  };
  return { score: round(quotable + hook + resolution + topicScore), breakdown };
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The best window, or undefined when no window of the allowed length exists (a transcript shorter
 * than the minimum, or with gaps that leave no window ending on a sentence end).
 */
export function pickMoment(request: MomentRequest): Moment | undefined {
  const { cues } = request;
  const { minS, maxS } = momentBounds(request.durationS);
  let best: Moment | undefined;
  for (let i = 0; i < cues.length; i++) {
    const start = cues[i];
    if (!start) continue;
    for (let j = i; j < cues.length; j++) {
      const end = cues[j];
      if (!end) continue;
      const length = end.endS - start.startS;
      if (length > maxS) break;
      if (length < minS || !endsSentence(end.text)) continue;
      const window = cues.slice(i, j + 1);
      const { score, breakdown } = scoreWindow(window, request.topic);
      // Ties go to the earlier window (a stable, explainable choice).
      if (!best || score > best.score) {
        best = { startS: start.startS, endS: end.endS, score, breakdown, cues: window };
      }
    }
  }
  return best;
}

/** One of the heuristic's best windows, as a ranking model sees it. */
export interface MomentCandidate {
  /** Position in the heuristic's order (0 = its top score). */
  index: number;
  startS: number;
  endS: number;
  score: number;
  text: string;
}

/** A ranking model's choice among the candidates. */
export interface MomentRanking {
  index: number;
  reason: string;
}
