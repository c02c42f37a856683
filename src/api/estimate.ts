/** POST /api/estimate: what a reel, episode or prompt-to-video run would cost under the API's settings. */
import { z } from 'zod';
import type { AppConfig } from '../config';
import type { CostEstimate } from '../domain/cost';
import { formatEstimate } from '../domain/cost';
import { EpisodeRequestSchema } from '../domain/episode';
import { ReelRequestSchema } from '../domain/reel';
import { parseWith } from '../domain/validation';
import { VideoRequestSchema } from '../domain/video';
import { estimateEpisodeRun, estimateReelRun, estimateVideoRun } from '../pricing/estimate';
import { prepareEpisodeRequest, prepareReelRequest } from '../cli/runs';
import { UsageError } from '../cli/usage';

/** The same request bodies as POST /api/reels, /api/episodes and /api/generate, named by kind. */
export const EstimateRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reel'), request: ReelRequestSchema }).strict(),
  z.object({ kind: z.literal('episode'), request: EpisodeRequestSchema }).strict(),
  z.object({ kind: z.literal('generate'), request: VideoRequestSchema }).strict(),
]);

export function estimateRun(config: AppConfig, body: unknown): CostEstimate & { table: string } {
  const parsed = parseWith(EstimateRequestSchema, body);
  if (!parsed.ok) throw new UsageError(`invalid estimate request: ${parsed.message}`);
  const { value } = parsed;
  const estimate =
    value.kind === 'reel'
      ? estimateReelRun(config, prepareReelRequest(value.request))
      : value.kind === 'episode'
        ? estimateEpisodeRun(config, prepareEpisodeRequest(value.request))
        : estimateVideoRun(config, value.request);
  return { ...estimate, table: formatEstimate(estimate) };
}
