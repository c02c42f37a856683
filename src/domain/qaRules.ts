/**
 * The QA gates' rules, one function per gated stage. Each rule is a named check; the score is the
 * share of checks met, and the feedback says exactly what failed and what to do instead, because a
 * model (or the offline producer) gets it verbatim on the next attempt.
 *
 * Verdicts: PASS when every check holds; REWORK when some fail (another attempt may fix them);
 * FAIL when there is nothing to work with (an empty transcript), which no rework can fix.
 */
import { z } from 'zod';
import { ParsedDirectivesSchema } from './directives';
import { HOOK_MAX_CHARS, momentBounds, topicWords } from './moment';
import type { QaVerdict } from './qa';
import type { Cue, Moment, PublishingAssets } from './reel';
import { CueSchema, MomentSchema, PublishingAssetsSchema } from './reel';
import { normaliseText, wordsOf } from './text';
import { describeIssues } from './validation';

interface Check {
  ok: boolean;
  /** What is wrong and what to do instead (used when !ok). */
  feedback: string;
}

function verdictOf(checks: Check[], notes: string[] = []): QaVerdict {
  const all = [...checks, ...notes.map((note) => ({ ok: false, feedback: note }))];
  const failed = all.filter((check) => !check.ok).map((check) => check.feedback);
  const score = all.length === 0 ? 1 : Math.round(((all.length - failed.length) / all.length) * 1000) / 1000;
  return { verdict: failed.length === 0 ? 'PASS' : 'REWORK', score, feedback: failed };
}

function schemaCheck<T>(schema: z.ZodType<T>, artifact: unknown, what: string): { value?: T; check: Check } {
  const parsed = schema.safeParse(artifact);
  return parsed.success
    ? { value: parsed.data, check: { ok: true, feedback: '' } }
    : { check: { ok: false, feedback: `${what} does not fit its schema: ${describeIssues(parsed.error)}` } };
}

const endsSentence = (text: string) => /[.!?]["')\]]*$/.test(text.trim());

/** ROUTER: directives fit their schema, and the stage had nothing to report (no malformed model answer). */
export function checkDirectives(artifact: unknown, notes: string[] = []): QaVerdict {
  const schema = ParsedDirectivesSchema.extend({ generator: z.string().min(1) });
  const { check } = schemaCheck(schema, artifact, 'directives');
  const verdict = verdictOf([check], notes);
  const unparsed = (artifact as { unparsed?: unknown }).unparsed;
  if (Array.isArray(unparsed) && unparsed.length > 0) {
    // Not understood is not wrong: the run goes on, and the user sees what was ignored.
    verdict.warnings = unparsed.map((clause) => `instructions not understood: ${String(clause)}`);
  }
  return verdict;
}

/** RESEARCH: a transcript that is sorted, well-formed, inside the source, and long enough for a reel. */
export function checkTranscript(
  artifact: unknown,
  context: {
    sourceDurationS: number;
    /** Whether asking again can change it (a model's transcription). */ reworkable?: boolean;
  },
  notes: string[] = [],
): QaVerdict {
  const { value, check } = schemaCheck(z.object({ cues: z.array(CueSchema) }), artifact, 'transcript');
  if (!value) return verdictOf([check], notes);
  const { cues } = value;
  if (cues.length === 0) return { verdict: 'FAIL', score: 0, feedback: ['the transcript has no cues'] };
  const first = cues[0]!;
  const last = cues[cues.length - 1]!;
  const unsorted = cues.findIndex((cue, i) => i > 0 && cue.startS < cues[i - 1]!.startS);
  const inverted = cues.findIndex((cue) => cue.endS <= cue.startS);
  const checks: Check[] = [
    check,
    {
      ok: unsorted < 0,
      feedback: `cue ${unsorted + 1} starts before the cue ahead of it: give cues in time order`,
    },
    { ok: inverted < 0, feedback: `cue ${inverted + 1} ends before it starts` },
    {
      ok: last.endS <= context.sourceDurationS + 1,
      feedback: `cues run to ${last.endS.toFixed(1)} s but the source is ${context.sourceDurationS.toFixed(1)} s long: times must be seconds from the start of the audio`,
    },
    {
      ok: last.endS - first.startS >= 30,
      feedback: `the transcript covers only ${(last.endS - first.startS).toFixed(0)} s; a reel needs at least 30 s of speech`,
    },
  ];
  const verdict = verdictOf(checks, notes);
  // A subtitle file reads the same every time: asking again cannot help. The run goes on with
  // the problems as warnings, and TRANSCRIPT uses what it can (or says there is no moment).
  if (verdict.verdict === 'REWORK' && context.reworkable === false) {
    return { verdict: 'PASS', score: verdict.score, feedback: [], warnings: verdict.feedback };
  }
  return verdict;
}

/** TRANSCRIPT: the moment's length, its boundaries, and the topic when the transcript mentions it. */
export function checkMoment(
  artifact: unknown,
  context: { transcript: Cue[]; durationS?: number; topic?: string },
  notes: string[] = [],
): QaVerdict {
  const { value, check } = schemaCheck(MomentSchema, artifact, 'moment');
  if (!value) return verdictOf([check], notes);
  const moment: Moment = value;
  const { minS, maxS } = momentBounds(context.durationS);
  const length = moment.endS - moment.startS;
  const last = moment.cues[moment.cues.length - 1];
  const startsOnCue = context.transcript.some((cue) => Math.abs(cue.startS - moment.startS) < 0.01);
  const boundary = moment.boundary ?? 'sentence';
  const wanted = topicWords(context.topic);
  const mentions = (cues: Cue[]) => cues.some((cue) => wordsOf(cue.text).some((word) => wanted.includes(word)));
  const checks: Check[] = [
    check,
    {
      ok: length >= minS - 0.01 && length <= maxS + 0.01,
      feedback: `the moment is ${length.toFixed(1)} s long; it must be ${minS}–${maxS} s`,
    },
    { ok: moment.cues.length > 0, feedback: 'the moment has no transcript lines' },
    { ok: startsOnCue, feedback: `the moment starts at ${moment.startS} s, which is not the start of a line` },
    {
      ok: boundary !== 'sentence' || (last !== undefined && endsSentence(last.text)),
      feedback: `the moment ends mid-sentence ("${last?.text.slice(-40) ?? ''}"): end it on a full stop, question or exclamation`,
    },
    {
      ok: wanted.length === 0 || !mentions(context.transcript) || mentions(moment.cues),
      feedback: `the topic "${context.topic ?? ''}" is discussed in the source but not in this moment: choose a window where it is`,
    },
  ];
  return verdictOf(checks, notes);
}

/** CONTENT: the schema, 3 distinct descriptions, anchors quoted from the moment, Veo durations, the clip budget. */
export function checkPublishingAssets(
  artifact: unknown,
  context: { moment: Moment; maxPrompts: number },
  notes: string[] = [],
): QaVerdict {
  const { value, check } = schemaCheck(PublishingAssetsSchema, artifact, 'publishing assets');
  if (!value) return verdictOf([check], notes);
  const assets: PublishingAssets = value;
  const spoken = normaliseText(context.moment.cues.map((cue) => cue.text).join(' '));
  const distinct = new Set(assets.descriptions.map((d) => normaliseText(d)));
  const unanchored = assets.veo3_prompts.filter((p) => !spoken.includes(normaliseText(p.narrative_anchor)));
  const checks: Check[] = [
    check,
    { ok: distinct.size === 3, feedback: 'the 3 descriptions must differ from each other' },
    {
      ok: new Set(assets.hashtags.map((tag) => tag.toLowerCase())).size === assets.hashtags.length,
      feedback: 'hashtags repeat: list each once',
    },
    {
      ok: unanchored.length === 0,
      feedback: `narrative anchors not spoken in the moment: ${unanchored.map((p) => `"${p.narrative_anchor}"`).join(', ')}; copy each anchor word for word from one transcript line`,
    },
    {
      ok: assets.veo3_prompts.length <= context.maxPrompts,
      feedback: `${assets.veo3_prompts.length} B-roll prompts; at most ${context.maxPrompts} are wanted`,
    },
    {
      ok:
        new Set(assets.veo3_prompts.map((p) => normaliseText(p.narrative_anchor))).size === assets.veo3_prompts.length,
      feedback: 'two B-roll prompts share an anchor: give each clip its own moment',
    },
  ];
  return verdictOf(checks, notes);
}

/** An episode's moments as moments.json holds them. */
export const EpisodeMomentsSchema = z.object({
  moments: z
    .array(
      MomentSchema.extend({
        rank: z.number().int().min(1),
        percent: z.number().min(0).max(100),
        hook: z.string().min(1),
        reason: z.string().min(1),
      }),
    )
    .min(1),
});

/**
 * TRANSCRIPT for an episode: every moment passes the single-moment rules, no two overlap, hooks fit
 * on screen, each reason quotes its own moment, and the scores order the clips (rank 1 highest).
 */
export function checkEpisodeMoments(
  artifact: unknown,
  context: { transcript: Cue[]; durationS?: number; topic?: string },
  notes: string[] = [],
): QaVerdict {
  const { value, check } = schemaCheck(EpisodeMomentsSchema, artifact, 'episode moments');
  if (!value) return verdictOf([check], notes);
  const { moments } = value;
  const checks: Check[] = [check];
  moments.forEach((moment, i) => {
    // The topic dominates the ranking, so the best clip must carry it; later clips may not.
    const single = checkMoment(moment, { ...context, topic: i === 0 ? context.topic : undefined });
    for (const feedback of single.feedback) checks.push({ ok: false, feedback: `clip ${moment.rank}: ${feedback}` });
    const spoken = normaliseText(moment.cues.map((cue) => cue.text).join(' '));
    const quotes = [...moment.reason.matchAll(/"([^"]+)"/g)].map((m) => normaliseText(m[1] ?? ''));
    checks.push(
      {
        ok: moment.hook.length <= HOOK_MAX_CHARS,
        feedback: `clip ${moment.rank}: the hook is ${moment.hook.length} characters; keep it to ${HOOK_MAX_CHARS}`,
      },
      {
        ok: quotes.some((quote) => quote.length > 0 && spoken.includes(quote)),
        feedback: `clip ${moment.rank}: the reason must quote the moment's own words in double quotes`,
      },
      {
        ok: moment.rank === i + 1,
        feedback: `clip ${moment.rank} is listed at position ${i + 1}: list clips by rank, 1 first`,
      },
    );
    const better = moments[i - 1];
    if (better) {
      checks.push({
        ok: better.percent >= moment.percent,
        feedback: `clip ${moment.rank} scores ${moment.percent}, above clip ${better.rank} (${better.percent}): scores must order the clips`,
      });
    }
    const overlapping = moments.find(
      (other) => other !== moment && other.startS < moment.endS && moment.startS < other.endS,
    );
    checks.push({
      ok: !overlapping,
      feedback: `clip ${moment.rank} overlaps clip ${overlapping?.rank ?? ''}: clips must not share any second of the source`,
    });
  });
  return verdictOf(checks, notes);
}
