/** Prompt to video: the request, the storyboard, and the result. */
import { z } from 'zod';
import type { CostEstimate } from './cost';
import type { StageTiming } from './reel';

export const VideoRequestSchema = z
  .object({
    prompt: z.string().trim().min(3, 'must describe the video (3 characters or more)').max(2000),
    style: z.string().trim().min(1).max(200).default('cinematic'),
    aspectRatio: z.enum(['16:9', '9:16']).default('16:9'),
    clipDurationS: z.union([z.literal(4), z.literal(6), z.literal(8)], { error: 'must be 4, 6 or 8' }).default(8),
    /** 1–15; without it the storyboard decides. */
    sceneCount: z.number().int().min(1).max(15).optional(),
    /** 0 = hard cuts (stream copy); otherwise a crossfade of this many seconds. */
    crossfadeS: z.number().min(0).max(2).default(0),
    /** The most this run may spend on paid clips, in USD; a clip that would go over is not submitted. */
    maxCostUsd: z.number().min(0).max(100_000).optional(),
  })
  .strict()
  .refine((r) => r.crossfadeS < r.clipDurationS / 2, {
    path: ['crossfadeS'],
    message: 'must be shorter than half a clip',
  });
export type VideoRequestInput = z.input<typeof VideoRequestSchema>;
export type VideoRequest = z.output<typeof VideoRequestSchema>;

/** What a text model is asked to return for a storyboard (indexes and the generator are ours). */
export const ModelStoryboardSchema = z.object({
  style_guide: z.object({ look: z.string().min(1), palette: z.array(z.string().min(1)).min(1).max(8) }),
  scenes: z
    .array(
      z.object({
        start_frame_prompt: z.string().min(1),
        end_frame_prompt: z.string().min(1),
        motion_prompt: z.string().min(1),
        transition: z.enum(['cut', 'crossfade']),
      }),
    )
    .min(1)
    .max(15),
});

export interface Scene {
  /** 1-based. */
  index: number;
  start_frame_prompt: string;
  end_frame_prompt: string;
  motion_prompt: string;
  transition: 'cut' | 'crossfade';
}

export interface Storyboard {
  generator: string;
  style_guide: { look: string; palette: string[] };
  scenes: Scene[];
}

export interface VideoGenSettings {
  maxConcurrent: number;
  timeoutS: number;
  pollInitialS: number;
  pollMaxS: number;
}

export interface StoryboardResult {
  workspace: string;
  storyboardPath: string;
  scenes: Scene[];
  /** The rest of storyboard.json, so a run that moves to another host writes it there unchanged (absent in older runs). */
  generator?: string;
  styleGuide?: Storyboard['style_guide'];
  settings: VideoGenSettings;
  /** The run's cost estimate, recorded at its start (absent in runs recorded before estimates). */
  estimate?: CostEstimate;
}

export interface KeyframesResult {
  frames: { index: number; start: string; end: string }[];
}

export interface StitchResult {
  videoPath: string;
  durationS: number;
  /** Where the video was delivered (output/<workflow id>/). */
  deliveredPath: string;
}

export interface VideoResult {
  workflowId: string;
  workspace: string;
  videoPath: string;
  durationS: number;
  aspectRatio: VideoRequest['aspectRatio'];
  /** The clips the video is made of, in scene order (a re-stitch reuses them). */
  clipPaths: string[];
  missingScenes: { index: number; status: string; reason: string }[];
  startedAt: string;
  completedAt: string;
  totalDurationMs: number;
  stages: StageTiming[];
}

export const RestitchInputSchema = z
  .object({
    /** The promptToVideo run whose clips are stitched again. */
    videoWorkflowId: z.string().min(1),
    workspace: z.string().min(1),
    clipPaths: z.array(z.string().min(1)).min(1),
    crossfadeS: z.number().min(0).max(2),
  })
  .strict();
export type RestitchInput = z.infer<typeof RestitchInputSchema>;
