/**
 * TRANSCRIPT for an episode through Gemini: the heuristic proposes distinct windows (no two
 * overlap, each a valid moment) and the model ranks the best N through structured output, writing
 * each clip's score, hook and reason. The windows always come from the heuristic; the model only
 * chooses, orders and writes. The rules on what it writes (hook length, a quote in the reason,
 * scores that order the clips) are the QA gate's (EPISODE_MOMENTS), so a breach is reworked with
 * the gate's feedback rather than refused here.
 */
import { z } from 'zod';
import type { EpisodeRanking, MomentCandidate } from '../../domain/moment';
import { HOOK_MAX_CHARS } from '../../domain/moment';
import type { JsonModel } from './geminiCopy';

const EpisodeRankingSchema = z.object({
  clips: z
    .array(
      z.object({
        candidate: z.number().int().min(0).describe('the index of the chosen candidate'),
        score: z.number().int().min(0).max(100).describe('0–100, how good a short clip this makes; falls with rank'),
        hook: z
          .string()
          .min(1)
          .describe(`an on-screen title for the first seconds, at most ${HOOK_MAX_CHARS} characters`),
        reason: z
          .string()
          .min(1)
          .describe('one or two sentences: why this clip works, quoting its own words in double quotes'),
      }),
    )
    .min(1)
    .describe('the chosen clips, best first'),
});

export function episodeRankingPrompt(
  candidates: MomentCandidate[],
  context: { count: number; topic?: string; feedback: string[] },
): string {
  const count = Math.min(context.count, candidates.length);
  return [
    `These are distinct candidate moments from one podcast episode. Choose the ${count} that make the best short vertical clips, best first.`,
    'A good clip has a hook in its first seconds, a clear arc with a resolution at the end, emotional energy and quotable lines.',
    ...(context.topic ? [`The clips are about: ${context.topic}. Moments on this topic come first.`] : []),
    'For each clip give:',
    '- candidate: its index;',
    '- score: 0–100, how strong a clip it is; scores must fall (or stay equal) from the first clip to the last;',
    `- hook: a short on-screen title for its first seconds, at most ${HOOK_MAX_CHARS} characters;`,
    '- reason: why it works, for a person to read, quoting at least a few of its own words exactly, in double quotes.',
    ...(context.feedback.length ? ['', `Your previous answer was rejected: ${context.feedback.join(' ')}`] : []),
    '',
    ...candidates.map(
      (c) =>
        `Candidate ${c.index} (${c.startS.toFixed(0)}–${c.endS.toFixed(0)} s, heuristic score ${c.score}):\n${c.text}`,
    ),
  ].join('\n');
}

export function geminiEpisodeRanking(
  model: JsonModel,
  candidates: MomentCandidate[],
  context: { count: number; topic?: string; feedback: string[] },
): Promise<EpisodeRanking> {
  return model.generateJson(EpisodeRankingSchema, episodeRankingPrompt(candidates, context));
}
