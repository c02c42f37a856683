/**
 * TRANSCRIPT: choose the moment. The heuristic (src/domain/moment.ts) scores every window, with the
 * audio's loudness and pitch when the source has sound; the text model then ranks the heuristic's
 * best few (the offline model keeps the heuristic's order).
 */
import { Context } from '@temporalio/activity';
import path from 'node:path';
import type { AudioFeatures } from '../domain/emotion';
import { AudioFeaturesSchema, prepareEmotion } from '../domain/emotion';
import { ErrorType } from '../domain/errors';
import type { EpisodeMoment, EpisodeMomentsResult } from '../domain/episode';
import {
  episodeMoments,
  episodeRankingProblem,
  hookFrom,
  momentBounds,
  momentCandidates,
  reasonFor,
  scorePercent,
  strongestLine,
} from '../domain/moment';
import type { MomentRanking, MomentRequest } from '../domain/moment';
import type { ReworkRequest } from '../domain/qa';
import { artifactName } from '../domain/qa';
import type { Cue, Moment, TranscriptResult } from '../domain/reel';
import { measureAudioFeatures } from '../media/audioFeatures';
import { ProviderError } from '../providers/errors';
import type { TextModel } from '../providers/text/types';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { keepAlive } from './heartbeat';
import { readJson, writeJsonAtomic } from './workspace';

/** How many of the heuristic's best windows a ranking model chooses from. */
const CANDIDATES = 5;
/** Loudness peaks beyond this many in a window add nothing more to its score. */
const MAX_PEAKS = 5;

/** What moment scoring reads: the cues inside the source, and its audio's emotion scorer when it has audio. */
async function scoringInputs(input: {
  workspace: string;
  transcriptPath: string;
  sourceDurationS: number;
  source?: string;
}) {
  const { cues } = await readJson<{ cues: Cue[] }>(input.transcriptPath);
  const usable = cues.filter((cue) => cue.endS <= input.sourceDurationS + 0.5);
  const features = input.source ? await audioFeatures(input.source, input.workspace) : undefined;
  const emotion = features && features.loudnessDb.length > 0 ? emotionScorer(features) : undefined;
  return { usable, emotion };
}

export function createTranscriptActivities({ providers }: ActivityDeps) {
  return {
    async pickMoment(
      input: {
        workspace: string;
        transcriptPath: string;
        sourceDurationS: number;
        /** The source file; its audio is measured for emotional peaks (absent in older runs). */
        source?: string;
        topic?: string;
        durationS?: number;
        /** Windows earlier attempts chose and the QA gate rejected. */
        avoid?: { startS: number; endS: number }[];
      } & Partial<ReworkRequest>,
    ): Promise<TranscriptResult> {
      const { usable, emotion } = await scoringInputs(input);
      const request = { cues: usable, topic: input.topic, durationS: input.durationS, emotion, avoid: input.avoid };
      let candidates = momentCandidates(request, CANDIDATES);
      // Everything left was rejected before: choosing again among all windows beats choosing none.
      if (candidates.length === 0 && input.avoid?.length) candidates = momentCandidates({ ...request, avoid: [] }, 1);
      if (candidates.length === 0) {
        const { minS, maxS } = momentBounds(input.durationS);
        const span = usable.length ? (usable[usable.length - 1]?.endS ?? 0) - (usable[0]?.startS ?? 0) : 0;
        throw failure(
          ErrorType.NO_MOMENT,
          `no ${minS}–${maxS} s window ending on a sentence in the transcript (${usable.length} cues over ${span.toFixed(0)} s)`,
        );
      }
      const { ranking, by, notes } = await rank(providers?.text, candidates, input.topic, input.feedback ?? []);
      const chosen = candidates[ranking.index] ?? candidates[0]!;
      const moment: Moment = { ...chosen, ranking: { by, reason: ranking.reason, candidates: candidates.length } };
      const momentPath = path.join(input.workspace, artifactName('moment.json', input.attempt ?? 1));
      await writeJsonAtomic(momentPath, moment);
      return { momentPath, startS: moment.startS, endS: moment.endS, ...(notes.length ? { notes } : {}) };
    },

    /**
     * TRANSCRIPT for an episode: the `count` best moments of which no two overlap (the topic
     * dominates the score when given), each with a 0–100 score, a hook line from its strongest
     * line, and a reason quoting it. Writes moments.json (all of them) and one moment file per
     * clip, which the clip's workflow copies into its own workspace.
     */
    async pickMoments(
      input: {
        workspace: string;
        transcriptPath: string;
        sourceDurationS: number;
        source?: string;
        topic?: string;
        durationS?: number;
        count: number;
      } & Partial<ReworkRequest>,
    ): Promise<EpisodeMomentsResult> {
      // Measured once for the whole source, however many clips come from it.
      const { usable, emotion } = await scoringInputs(input);
      const request = { cues: usable, topic: input.topic, durationS: input.durationS, emotion };
      const heuristic = episodeMoments(request, input.count);
      if (heuristic.length === 0) {
        const { minS, maxS } = momentBounds(input.durationS);
        throw failure(
          ErrorType.NO_MOMENT,
          `no ${minS}–${maxS} s window ending on a sentence in the transcript (${usable.length} cues)`,
        );
      }
      const attempt = input.attempt ?? 1;
      const { moments, notes } = await rankEpisode(
        providers?.text,
        request,
        input.count,
        heuristic,
        input.feedback ?? [],
      );
      const proposed: EpisodeMoment[] = [];
      for (const moment of moments) {
        const { rank, percent, ...single } = moment;
        const momentPath = path.join(input.workspace, 'moments', artifactName(`moment-${rank}.json`, attempt));
        await writeJsonAtomic(momentPath, single);
        proposed.push({
          rank,
          score: percent,
          hook: moment.hook,
          reason: moment.reason,
          startS: moment.startS,
          endS: moment.endS,
          momentPath,
        });
      }
      const momentsPath = path.join(input.workspace, artifactName('moments.json', attempt));
      await writeJsonAtomic(momentsPath, { moments, ...(notes.length ? { notes } : {}) });
      return { momentsPath, moments: proposed, ...(notes.length ? { notes } : {}) };
    },
  };
}

/** The text model's pick among the candidates; a malformed answer keeps the heuristic's best. */
async function rank(
  model: TextModel | undefined,
  candidates: Moment[],
  topic: string | undefined,
  feedback: string[],
): Promise<{ ranking: MomentRanking; by: string; notes: string[] }> {
  const heuristic = { ranking: { index: 0, reason: 'the highest heuristic score' }, by: 'heuristic', notes: [] };
  if (!model || candidates.length < 2) return heuristic;
  const offered = candidates.map((moment, index) => ({
    index,
    startS: moment.startS,
    endS: moment.endS,
    score: moment.score,
    text: moment.cues.map((cue) => cue.text).join(' '),
  }));
  try {
    const ranking = await keepAlive(Context.current(), { phase: 'ranking', model: model.name }, () =>
      model.rankMoments(offered, { ...(topic ? { topic } : {}), feedback }),
    );
    if (!Number.isInteger(ranking.index) || ranking.index < 0 || ranking.index >= candidates.length) {
      throw new ProviderError(
        ErrorType.MODEL_OUTPUT_INVALID,
        `the model chose candidate ${ranking.index}; there are ${candidates.length}`,
      );
    }
    return { ranking, by: model.name, notes: [] };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    if (err.type !== ErrorType.MODEL_OUTPUT_INVALID) throw failure(err.type, err.message);
    return {
      ...heuristic,
      notes: [`the ranking model's answer was malformed (${err.message}); kept the heuristic's choice`],
    };
  }
}

/** How many distinct windows beyond `count` a ranking model chooses from. */
const EXTRA_EPISODE_CANDIDATES = 3;

/** An episode's moment as moments.json holds it: the window, its rank, 0–100 score, hook and reason. */
type RankedMoment = Moment & { rank: number; percent: number; hook: string; reason: string };

/** The heuristic's episode: its best non-overlapping set, scored, with hooks from each moment's strongest line. */
function heuristicEpisode(chosen: Moment[], topic: string | undefined): RankedMoment[] {
  return chosen.map((moment, i) => {
    const line = strongestLine(moment.cues, topic);
    return {
      ...moment,
      rank: i + 1,
      percent: scorePercent(moment.score),
      hook: hookFrom(line),
      reason: reasonFor(moment, line, topic),
      ranking: {
        by: 'heuristic',
        reason: 'the highest heuristic scores, no two overlapping',
        candidates: chosen.length,
      },
    };
  });
}

/**
 * The episode's moments: ranked by the text model when it ranks episodes (Gemini), over a pool of
 * distinct windows a little larger than asked; otherwise, or when its answer is malformed, the
 * heuristic's. What the model writes is checked by the QA gate afterwards, not here.
 */
async function rankEpisode(
  model: TextModel | undefined,
  request: MomentRequest,
  count: number,
  heuristic: Moment[],
  feedback: string[],
): Promise<{ moments: RankedMoment[]; notes: string[] }> {
  const fallback = { moments: heuristicEpisode(heuristic, request.topic), notes: [] as string[] };
  if (!model?.rankEpisode) return fallback;
  // No two windows of the pool overlap, so any choice among them is a distinct set.
  const pool = episodeMoments(request, count + EXTRA_EPISODE_CANDIDATES);
  const offered = pool.map((moment, index) => ({
    index,
    startS: moment.startS,
    endS: moment.endS,
    score: scorePercent(moment.score),
    text: moment.cues.map((cue) => cue.text).join(' '),
  }));
  try {
    const ranking = await keepAlive(Context.current(), { phase: 'ranking', model: model.name }, () =>
      model.rankEpisode!(offered, { count, ...(request.topic ? { topic: request.topic } : {}), feedback }),
    );
    const problem = episodeRankingProblem(ranking, pool.length, count);
    if (problem) throw new ProviderError(ErrorType.MODEL_OUTPUT_INVALID, problem);
    const moments = ranking.clips.map((clip, i): RankedMoment => ({
      ...pool[clip.candidate]!,
      rank: i + 1,
      percent: clip.score,
      hook: clip.hook.replace(/\s+/g, ' ').trim(),
      reason: clip.reason.trim(),
      ranking: {
        by: model.name,
        reason: `ranked ${ranking.clips.length} of ${pool.length} distinct candidates`,
        candidates: pool.length,
      },
    }));
    return { moments, notes: [] };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    if (err.type !== ErrorType.MODEL_OUTPUT_INVALID) throw failure(err.type, err.message);
    return {
      ...fallback,
      notes: [`the ranking model's answer was malformed (${err.message}); kept the heuristic's moments`],
    };
  }
}

/** Loudness and pitch of the whole source, measured once per run and kept in the workspace. */
async function audioFeatures(source: string, workspace: string): Promise<AudioFeatures> {
  const file = path.join(workspace, 'audio-features.json');
  try {
    return AudioFeaturesSchema.parse(await readJson<unknown>(file));
  } catch {
    // Not measured yet (or unreadable): measure now.
  }
  const context = Context.current();
  const features = await measureAudioFeatures(source, {
    signal: context.cancellationSignal,
    onProgress: (fraction) => context.heartbeat({ measuredAudio: Math.round(fraction * 100) / 100 }),
  });
  await writeJsonAtomic(file, features);
  return features;
}

function emotionScorer(features: AudioFeatures): (startS: number, endS: number) => Record<string, number> {
  const score = prepareEmotion(features);
  return (startS, endS) => {
    const { loudness, pitch, peaks } = score(startS, endS);
    return { loudness, pitch, peaks: Math.min(peaks, MAX_PEAKS) / MAX_PEAKS };
  };
}
