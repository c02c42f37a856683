/**
 * TRANSCRIPT through Gemini: the heuristic proposes its best few windows (distinct, each a valid
 * moment), and the model picks the one that makes the best reel. The model only chooses; the
 * window itself always comes from the heuristic, so it still meets the stage's rules.
 */
import { z } from 'zod';
import type { MomentCandidate, MomentRanking } from '../../domain/moment';
import type { JsonModel } from './geminiCopy';

const RankingSchema = z.object({
  index: z.number().int().min(0).describe('the index of the chosen candidate'),
  reason: z.string().min(1).describe('one sentence: why this one makes the best reel'),
});

export function rankingPrompt(candidates: MomentCandidate[], context: { topic?: string; feedback: string[] }): string {
  return [
    'These are candidate moments from a podcast for a 60–90 second vertical reel. Pick the one that makes the best reel:',
    'a hook in the first seconds, a clear arc with a resolution at the end, emotional energy, and quotable lines.',
    ...(context.topic ? [`The reel must be about: ${context.topic}.`] : []),
    ...(context.feedback.length ? [`A previous choice was rejected: ${context.feedback.join(' ')}`] : []),
    '',
    ...candidates.map(
      (c) =>
        `Candidate ${c.index} (${c.startS.toFixed(0)}–${c.endS.toFixed(0)} s, heuristic score ${c.score}):\n${c.text}`,
    ),
  ].join('\n');
}

export async function geminiRanking(
  model: JsonModel,
  candidates: MomentCandidate[],
  context: { topic?: string; feedback: string[] },
): Promise<MomentRanking> {
  return model.generateJson(RankingSchema, rankingPrompt(candidates, context));
}
