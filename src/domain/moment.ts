/**
 * Picking the reel's moment from a transcript: every window that starts where a sentence starts and
 * ends on a sentence end within the allowed length is scored, and the best one wins.
 *
 * Score (per window), documented so results can be explained:
 * - quotable: short declarative sentences (3–14 words), questions and numbers, per minute;
 * - hook: the first sentence is a question or a short punchy line (+2); a first line that answers
 *   or continues the one before ("And…", "So…", "Exactly.") costs as much (-2): the viewer lacks
 *   the line it leans on;
 * - resolution: the last sentence is a short declarative conclusion (+1);
 * - topic: each mention of a topic word is worth 10, so a topic dominates the rest, and +5 when the
 *   topic is named in the first TOPIC_OPENING_S seconds: a clip about a topic should open on it;
 * - emotion (when the audio was measured): loudness variation, loudness peaks and pitch
 *   variation, each about 0–1, weighted by EMOTION_WEIGHT.
 * Unpunctuated captions (auto-captions) start and end windows at pauses instead of sentence ends.
 */
import type { Cue, Moment } from './reel';
import { MOMENT_MAX_S, MOMENT_MIN_S } from './reel';
import { wordsOf } from './text';

export interface MomentRequest {
  cues: Cue[];
  /** Preferred length; without it the moment is 60–90 s. */
  durationS?: number;
  topic?: string;
  /** Audio emotion components (each roughly 0–1) for a span of the source, when measured. */
  emotion?: (startS: number, endS: number) => Record<string, number>;
  /** Spans not to pick again (earlier attempts the QA gate rejected). */
  avoid?: { startS: number; endS: number }[];
}

export function momentBounds(durationS?: number): { minS: number; maxS: number } {
  if (durationS === undefined) return { minS: MOMENT_MIN_S, maxS: MOMENT_MAX_S };
  return { minS: Math.max(30, durationS - 5), maxS: Math.min(120, durationS + 5) };
}

const endsSentence = (text: string) => /[.!?]["')\]]*$/.test(text.trim());

function sentenceScore(text: string): number {
  const count = wordsOf(text).length;
  let score = 0;
  if (text.trim().endsWith('?')) score += 1;
  else if (count >= 3 && count <= 14) score += 1;
  if (/\d/.test(text)) score += 1;
  return score;
}

/** A line that answers or carries on from the one before it: it leans on words the clip does not show. */
const CONTINUES =
  /^(?:(?:and|but|so|because|or|then|also|plus)\b,?|(?:well|exactly|right|partly|yes|yeah|no|sure|true|ouch)[,.!])\s*/i;

/** True when a line starts a thought of its own (it is not an answer or a continuation). */
export function opensThought(text: string): boolean {
  return !CONTINUES.test(text.trim());
}

/** Seconds at the start of a window in which naming the topic counts as opening on it. */
const TOPIC_OPENING_S = 10;

export function topicWords(topic?: string): string[] {
  return wordsOf(topic ?? '').filter((word) => word.length > 2);
}

export function scoreWindow(cues: Cue[], topic?: string): { score: number; breakdown: Record<string, number> } {
  const first = cues[0];
  const last = cues[cues.length - 1];
  if (!first || !last) return { score: 0, breakdown: {} };
  const minutes = Math.max((last.endS - first.startS) / 60, 0.1);
  const quotable = cues.reduce((sum, cue) => sum + sentenceScore(cue.text), 0) / minutes;
  const punchy = first.text.trim().endsWith('?') || wordsOf(first.text).length <= 10;
  // Opening on an answer or a continuation costs what a good opening earns: the viewer lacks the line before.
  const hook = !opensThought(first.text) ? -2 : punchy ? 2 : 0;
  const resolution = !last.text.trim().endsWith('?') && wordsOf(last.text).length <= 14 ? 1 : 0;
  const wanted = topicWords(topic);
  const mentions =
    wanted.length === 0 ? 0 : cues.flatMap((cue) => wordsOf(cue.text)).filter((w) => wanted.includes(w)).length;
  const opensOnTopic = cues.some(
    (cue) => cue.startS < first.startS + TOPIC_OPENING_S && wordsOf(cue.text).some((w) => wanted.includes(w)),
  );
  const topicScore = mentions * 10;
  const topicOpening = opensOnTopic ? 5 : 0;
  const breakdown = {
    quotable: round(quotable),
    hook,
    resolution,
    topic: topicScore,
    ...(wanted.length ? { topicOpening } : {}),
  };
  return { score: round(quotable + hook + resolution + topicScore + topicOpening), breakdown };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A silence this long between captions counts as a sentence end in unpunctuated captions. */
const PAUSE_S = 0.4;
/** Captions with fewer sentence ends than this share are treated as unpunctuated (auto-captions). */
const PUNCTUATED_SHARE = 0.15;
/** Weight of the audio's emotion components (each roughly 0–1) against quotable lines per minute. */
const EMOTION_WEIGHT = 2;

export function isPunctuated(cues: Cue[]): boolean {
  if (cues.length === 0) return true;
  return cues.filter((cue) => endsSentence(cue.text)).length / cues.length >= PUNCTUATED_SHARE;
}

/**
 * Where a window may end: on a sentence end; for unpunctuated captions, at a pause (or the last
 * caption), so auto-captions still give a moment instead of none. A window starts only right after
 * such a boundary (or at the first caption), so a clip never opens mid-sentence when a caption
 * holds only part of one.
 */
function endRule(cues: Cue[]): { boundary: 'sentence' | 'pause'; canEnd: (j: number) => boolean } {
  if (isPunctuated(cues)) return { boundary: 'sentence', canEnd: (j) => endsSentence(cues[j]?.text ?? '') };
  return {
    boundary: 'pause',
    canEnd: (j) => {
      const next = cues[j + 1];
      const cue = cues[j];
      return !cue || !next || next.startS - cue.endS >= PAUSE_S;
    },
  };
}

const overlapShare = (a: { startS: number; endS: number }, b: { startS: number; endS: number }) =>
  Math.max(0, Math.min(a.endS, b.endS) - Math.max(a.startS, b.startS)) / Math.min(a.endS - a.startS, b.endS - b.startS);

/**
 * The best distinct windows, best first: every window of the allowed length that starts at a cue
 * and ends on a boundary is scored; a window overlapping a better one by more than half, or a
 * window to avoid (an earlier attempt the QA gate rejected), is left out. Empty when no window of
 * the allowed length exists.
 */
export function momentCandidates(request: MomentRequest, limit = 5): Moment[] {
  const all = scoredWindows(request);
  // Stable sort: ties go to the earlier window (a stable, explainable choice).
  all.sort((a, b) => b.score - a.score);
  const chosen: Moment[] = [];
  for (const window of all) {
    if (chosen.length >= limit) break;
    if ((request.avoid ?? []).some((span) => overlapShare(span, window) > 0.5)) continue;
    if (chosen.some((better) => overlapShare(better, window) > 0.5)) continue;
    chosen.push(window);
  }
  return chosen;
}

/** Every window of the allowed length that starts at a cue and ends on a boundary, scored, in start order. */
function scoredWindows(request: MomentRequest): Moment[] {
  const { cues } = request;
  const { minS, maxS } = momentBounds(request.durationS);
  const { boundary, canEnd } = endRule(cues);
  const all: Moment[] = [];
  for (let i = 0; i < cues.length; i++) {
    const start = cues[i];
    if (!start || (i > 0 && !canEnd(i - 1))) continue;
    for (let j = i; j < cues.length; j++) {
      const end = cues[j];
      if (!end) continue;
      const length = end.endS - start.startS;
      if (length > maxS) break;
      if (length < minS || !canEnd(j)) continue;
      const window = cues.slice(i, j + 1);
      const scored = scoreWindow(window, request.topic);
      const emotion = request.emotion?.(start.startS, end.endS) ?? {};
      const extra = Object.values(emotion).reduce((sum, value) => sum + value * EMOTION_WEIGHT, 0);
      const breakdown = { ...scored.breakdown, ...mapValues(emotion, round) };
      all.push({
        startS: start.startS,
        endS: end.endS,
        score: round(scored.score + extra),
        breakdown,
        cues: window,
        boundary,
      });
    }
  }
  return all;
}

/** The heuristic's best window, or undefined when none has the allowed length. */
export function pickMoment(request: MomentRequest): Moment | undefined {
  return momentCandidates(request, 1)[0];
}

const mapValues = (record: Record<string, number>, fn: (n: number) => number) =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));

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

/** A ranking model's clips for an episode, best first: which candidate, its score, hook and reason. */
export interface EpisodeRanking {
  clips: { candidate: number; score: number; hook: string; reason: string }[];
}

/**
 * What the QA gate cannot judge in an episode ranking, as a sentence, or undefined when sound:
 * every pick is one of the candidates, none twice, and as many as asked (or every candidate when
 * there are fewer). Hooks, quotes and score order are the gate's rules (EPISODE_MOMENTS).
 */
export function episodeRankingProblem(ranking: EpisodeRanking, candidates: number, count: number): string | undefined {
  const wanted = Math.min(count, candidates);
  const picks = ranking.clips.map((clip) => clip.candidate);
  const stray = picks.find((pick) => !Number.isInteger(pick) || pick < 0 || pick >= candidates);
  if (stray !== undefined) return `the model chose candidate ${stray}; there are ${candidates}`;
  if (new Set(picks).size !== picks.length) return `the model chose a candidate twice (${picks.join(', ')})`;
  if (picks.length !== wanted) return `asked for ${wanted} clips, the model ranked ${picks.length}`;
  return undefined;
}

/**
 * An episode's moments: as many as `count` windows of which no two share a second, best first.
 * First as many clips as the source holds (up to `count`), then the highest total score among
 * such sets (weighted interval scheduling): picking greedily by score can strand the gaps between
 * two good windows and give fewer clips than the source holds. A topic's bonus (10 a mention) is
 * far above the other parts, so a window on the topic is in the set whenever it can be.
 */
export function episodeMoments(request: MomentRequest, count: number): Moment[] {
  const windows = scoredWindows(request).sort((a, b) => a.endS - b.endS || a.startS - b.startS);
  const n = windows.length;
  if (n === 0 || count < 1) return [];
  // before[i]: how many windows (in end order) end at or before window i starts.
  const before = windows.map((w) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (windows[mid]!.endS <= w.startS) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
  // best[k][i]: the highest total of k non-overlapping windows among the first i (-Infinity: impossible).
  const best: number[][] = [Array.from({ length: n + 1 }, () => 0)];
  for (let k = 1; k <= count; k++) {
    const row = [-Infinity];
    for (let i = 1; i <= n; i++) {
      const w = windows[i - 1]!;
      const take = best[k - 1]![before[i - 1]!]! + w.score;
      row.push(Math.max(row[i - 1]!, take));
    }
    best.push(row);
  }
  let k = count;
  while (k > 0 && best[k]![n] === -Infinity) k--;
  const chosen: Moment[] = [];
  for (let i = n; k > 0 && i > 0;) {
    if (best[k]![i] === best[k]![i - 1]) {
      i--;
      continue;
    }
    const w = windows[i - 1]!;
    chosen.push(w);
    i = before[i - 1]!;
    k--;
  }
  // Best first; ties to the earlier window.
  return chosen.sort((a, b) => b.score - a.score || a.startS - b.startS);
}

/**
 * The heuristic's score on a 0–100 scale: score / (score + HALF_SCORE), so a window scoring
 * HALF_SCORE (about a quotable line every 6 s) maps to 50. Monotonic, so the order never changes;
 * saturating, so a topic's big bonus lands near 100 instead of off the scale.
 */
const HALF_SCORE = 10;
export function scorePercent(score: number): number {
  return score <= 0 ? 0 : Math.round((100 * score) / (score + HALF_SCORE));
}

/** The longest hook line: a title over the first seconds must be read at a glance. */
export const HOOK_MAX_CHARS = 60;

/** Seconds from a moment's start in which a line can be the promise its title makes and keeps at once. */
const EARLY_LINE_S = 15;

/**
 * The moment's strongest sentence: one naming the topic first (the clip is about it), then a
 * question or an exclamation (it opens a loop, or it is felt), then the most quotable; a sentence in the first EARLY_LINE_S seconds
 * wins over a later one of the same kind (the title is kept at once), shorter ones winning ties.
 * Sentences, not captions: a caption of two sentences is two candidates, and a title is one of them.
 * Empty when the moment has no words.
 */
export function strongestLine(cues: Cue[], topic?: string): string {
  const start = cues[0]?.startS ?? 0;
  const lines = cues.flatMap((cue) =>
    (cue.text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]+["')\]]*|[^.!?]+$/g) ?? [])
      .map((text) => ({ text: text.trim(), early: cue.startS < start + EARLY_LINE_S }))
      .filter((line) => wordsOf(line.text).length > 0),
  );
  const wanted = topicWords(topic);
  const onTopic = (text: string) => wordsOf(text).some((word) => wanted.includes(word));
  const weight = ({ text, early }: { text: string; early: boolean }) =>
    (onTopic(text) ? 20 : 0) +
    (/[?!]$/.test(text) ? 10 : 0) +
    (early ? 1 : 0) +
    sentenceScore(text) -
    wordsOf(text).length / 100;
  let best: { text: string; early: boolean } | undefined;
  for (const line of lines) if (!best || weight(line) > weight(best)) best = line;
  return best?.text ?? '';
}

/**
 * A title made of a line: without the word that ties it to the line before ("And if a stage fails
 * for good?" → "If a stage fails for good?") and without a closing full stop, as titles are
 * written; at most HOOK_MAX_CHARS, cut at a word with an ellipsis when the line is longer.
 */
export function hookFrom(line: string): string {
  let text = line.replace(/\s+/g, ' ').trim();
  for (let rest = text.replace(CONTINUES, ''); rest && rest !== text; rest = text.replace(CONTINUES, '')) text = rest;
  text = `${text.charAt(0).toUpperCase()}${text.slice(1)}`.replace(/(?<!\.)\.$/, '');
  if (text.length <= HOOK_MAX_CHARS) return text;
  const cut = text.slice(0, HOOK_MAX_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space >= 20 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** Why the heuristic chose a moment, in words, quoting its strongest line. */
export function reasonFor(moment: Moment, line: string, topic?: string): string {
  const b = moment.breakdown;
  const parts = [`${(b.quotable ?? 0).toFixed(1)} quotable lines a minute`];
  if ((b.hook ?? 0) > 0) parts.push('opens on a short line or question');
  if (b.resolution) parts.push('ends on a conclusion');
  if (topic && b.topic) parts.push(`mentions "${topic}" ${Math.round(b.topic / 10)} times`);
  if (topic && b.topicOpening) parts.push('opens on it');
  if ((b.loudness ?? 0) + (b.pitch ?? 0) + (b.peaks ?? 0) > 1) parts.push('lively delivery');
  return `${parts.join(', ')}; strongest line: "${line}"`;
}
