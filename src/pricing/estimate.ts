/**
 * The estimate of a run under this worker's (or this CLI's) configuration: what `reelflow
 * estimate`, POST /api/estimate and the first stage of every run record. The arithmetic is the
 * pure estimator in src/domain/cost.ts; this file only looks at the configuration and the request.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config';
import type { CostEstimate, ReelEstimateInput } from '../domain/cost';
import type { EpisodeRequest } from '../domain/episode';
import { DEFAULT_EPISODE_CLIPS } from '../domain/episode';
import { estimateReel, estimateVideo } from '../domain/cost';
import type { ReelRequest } from '../domain/reel';
import type { VideoRequest } from '../domain/video';
import { parseInstructionsOffline } from '../providers/text/offlineInstructions';
import { pricedModels, pricesFor } from './index';

/** True when a local source has no transcript given and no .srt/.vtt next to it (a URL may have captions: not counted). */
function needsTranscription(request: ReelRequest): boolean {
  if (request.transcript || /^https?:\/\//i.test(request.source)) return false;
  const base = request.source.slice(0, request.source.length - path.extname(request.source).length);
  return !['.srt', '.vtt'].some((ext) => existsSync(base + ext));
}

/** What the estimator needs to know about a reel request under this configuration. */
function reelInput(config: AppConfig, request: ReelRequest, pacing?: 'slow' | 'medium' | 'fast'): ReelEstimateInput {
  const textIsPaid = config.providers.text !== 'offline';
  return {
    clips: request.clips ?? config.veo3.clipCount,
    hasInstructions: Boolean(request.instructions?.trim()),
    transcribes: textIsPaid && needsTranscription(request),
    pacing:
      pacing ?? (request.instructions ? parseInstructionsOffline(request.instructions).narrative?.pacing : undefined),
  };
}

export function estimateReelRun(
  config: AppConfig,
  request: ReelRequest,
  /** The pacing ROUTER understood, when it has run; otherwise read offline from the instructions. */
  pacing?: 'slow' | 'medium' | 'fast',
  /** An episode's clips: the source analysed once, then each clip's copy and B-roll. */
  reels = 1,
): CostEstimate {
  return estimateReel(pricesFor(config), pricedModels(config), { ...reelInput(config, request, pacing), reels });
}

/** An episode: the source analysed once, then `count` clips, each with its copy and its B-roll. */
export function estimateEpisodeRun(config: AppConfig, request: EpisodeRequest): CostEstimate {
  const { count, ...reel } = request;
  return estimateReelRun(config, reel, undefined, count ?? DEFAULT_EPISODE_CLIPS);
}

/** One clip of an episode: its copy and its B-roll (the episode's estimate holds the analysis). */
export function estimateClipRun(config: AppConfig, clips: number, pacing?: 'slow' | 'medium' | 'fast'): CostEstimate {
  return estimateReel(pricesFor(config), pricedModels(config), {
    clips,
    hasInstructions: false,
    transcribes: false,
    ...(pacing ? { pacing } : {}),
    clipOfEpisode: true,
  });
}

export function estimateVideoRun(config: AppConfig, request: VideoRequest): CostEstimate {
  return estimateVideo(pricesFor(config), pricedModels(config), {
    prompt: request.prompt,
    clipDurationS: request.clipDurationS,
    ...(request.sceneCount ? { sceneCount: request.sceneCount } : {}),
  });
}
