import { z } from 'zod';
import type { BrollSettings } from './broll';
import type { CropPlan } from './cropPlan';
import type { CostEstimate } from './cost';
import type { Directives } from './directives';
import { HostIdSchema } from './hosts';
import type { QaVerdict } from './qa';
import { RenderOptionsSchema } from './render';
import type { SpeechJob } from './speech';
import { TranscriberSchema, WordSchema } from './speech';

/**
 * Input of the `reelPipeline` workflow. Plain JSON so a run can be started from the Temporal UI or
 * `temporal workflow start --input '{...}'`. Paths are as the worker sees them.
 */
export const ReelRequestSchema = z
  .object({
    /** Local file path or http(s) URL of the long source video. */
    source: z.string().trim().min(1, 'must name a video file or URL'),
    /** Optional transcript (.srt or .vtt); otherwise a sidecar next to the source is used. */
    transcript: z.string().trim().min(1).optional(),
    /** Topic to focus the moment on. */
    topic: z.string().trim().min(1).max(200).optional(),
    /** Preferred reel length in seconds. */
    durationS: z.number().min(30).max(120).optional(),
    /** Free-form instructions (parsed by ROUTER). */
    instructions: z.string().max(4000).optional(),
    /** B-roll clips for this run (default: the worker's VEO3_CLIP_COUNT). */
    clips: z.number().int().min(0).max(16).optional(),
    /**
     * Who transcribes a source without subtitles: the local speech worker or Gemini (default: the
     * TRANSCRIBE setting, else Gemini when it is the text provider, else local). `local` also
     * replaces a sidecar or embedded subtitle file.
     */
    transcribe: TranscriberSchema.optional(),
    /** The most this run may spend on paid clips, in USD; a clip that would go over is not submitted. */
    maxCostUsd: z.number().min(0).max(100_000).optional(),
    /**
     * The host that runs it (its REELFLOW_HOST_ID; by default hostname plus a hash of its runs folder),
     * for a source only that host can read, as a studio upload. Default: whichever host answers first.
     */
    host: HostIdSchema.optional(),
  })
  .extend(RenderOptionsSchema.shape)
  .strict();
export type ReelRequest = z.infer<typeof ReelRequestSchema>;

export const MOMENT_MIN_S = 60;
export const MOMENT_MAX_S = 90;

/** One subtitle cue, times in seconds; speech-to-text adds each word's times (subtitle files have none). */
export const CueSchema = z.object({
  startS: z.number().min(0),
  endS: z.number().min(0),
  text: z.string(),
  words: z.array(WordSchema).optional(),
});
export type Cue = z.infer<typeof CueSchema>;

export const MomentSchema = z.object({
  startS: z.number().min(0),
  endS: z.number().min(0),
  score: z.number(),
  breakdown: z.record(z.string(), z.number()),
  cues: z.array(CueSchema),
  /** How the end was chosen: a sentence end, or a pause when the captions have no punctuation. */
  boundary: z.enum(['sentence', 'pause']).optional(),
  /** Who chose among the heuristic's best candidates, and why. */
  ranking: z.object({ by: z.string(), reason: z.string(), candidates: z.number() }).optional(),
  /** A short on-screen title for the first seconds (≤ 60 characters), when one was written. */
  hook: z.string().max(60).optional(),
  /** Why this moment was chosen, in words a person reads (quotes the moment). */
  reason: z.string().optional(),
});
export type Moment = z.infer<typeof MomentSchema>;

export const Veo3PromptSchema = z.object({
  variant: z.enum(['intro', 'broll', 'transition', 'outro']),
  prompt: z.string().min(1),
  narrative_anchor: z.string().min(1),
  duration_s: z.union([z.literal(4), z.literal(6), z.literal(8)], { error: 'must be 4, 6 or 8' }),
});
export type Veo3Prompt = z.infer<typeof Veo3PromptSchema>;

export const PublishingAssetsSchema = z.object({
  generator: z.string(),
  descriptions: z.array(z.string().min(1)).length(3),
  hashtags: z.array(z.string().regex(/^#\w+$/)).min(1),
  music_mood: z.string().min(1),
  veo3_prompts: z.array(Veo3PromptSchema),
});
export type PublishingAssets = z.infer<typeof PublishingAssetsSchema>;

export const Layout = {
  /** Two people, each in half of the frame. */
  SIDE_BY_SIDE: 'side_by_side',
  /** One picture, one (active) speaker. */
  SPEAKER_FOCUS: 'speaker_focus',
  /** Three or four tiles, split both ways. */
  GRID: 'grid',
  /** Slides or a screen, with the speaker in a corner thumbnail. */
  SCREEN_SHARE: 'screen_share',
} as const;
export type Layout = (typeof Layout)[keyof typeof Layout];

export const CropStrategy = {
  /** Left and right halves stacked top/bottom. */
  STACK_HALVES: 'stack_halves',
  /** A 9:16 window over the centre of the frame. */
  CENTER_CROP: 'center_crop',
  /** A 9:16 window that follows where the motion (the active speaker) is. */
  FOLLOW_CROP: 'follow_crop',
  /** The whole frame, full width, over a blurred fill of itself. */
  FIT_BLUR: 'fit_blur',
  /** The shared content on top, the speaker thumbnail enlarged below. */
  CONTENT_OVER_SPEAKER: 'content_over_speaker',
} as const;
export type CropStrategy = (typeof CropStrategy)[keyof typeof CropStrategy];

/** A rectangle as fractions of the frame. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LayoutSegment {
  startS: number;
  endS: number;
  layout: Layout;
  strategy: CropStrategy;
  /**
   * follow_crop (runs recorded before crop plans): the crop's horizontal centre (0–1) over time
   * (source seconds). Superseded by `crop`.
   */
  track?: { t: number; x: number }[];
  /** follow_crop: the planned crop window over time (src/domain/cropPlan.ts), in source pixels. */
  crop?: CropPlan;
  /** follow_crop: what the crop follows: tracked faces, or (no face found) motion. */
  framedBy?: 'faces' | 'motion';
  /** content_over_speaker: where the speaker thumbnail is. */
  speakerBox?: Box;
}

export interface SourceInfo {
  durationS: number;
  width: number;
  height: number;
  fps: number;
  hasAudio: boolean;
  title?: string;
  /** The container's creation_time tag, when it has one (ISO 8601). */
  createdAt?: string;
}

/** What each stage hands to the next: small JSON only (paths, numbers), never media bytes. */
export interface RouterResult {
  workspace: string;
  /** Worker settings this run follows, recorded in history so replays see the same numbers. */
  broll: BrollSettings;
  /** Absolute path of the source as the worker reads it. */
  source: string;
  transcript?: string;
  /** What ROUTER understood from the instructions (absent in runs recorded before directives). */
  directives?: Directives;
  directivesPath?: string;
  /** Problems the stage knows of in its artifact, for the QA gate. */
  notes?: string[];
  /** The run's cost estimate, recorded at its start (absent in runs recorded before estimates). */
  estimate?: CostEstimate;
}
export interface ResearchResult {
  info: SourceInfo;
  /** Workspace path of transcript.json (cues). */
  transcriptPath: string;
  /**
   * 'transcribed': no subtitles were found, so the text model transcribed the audio; 'speech': the
   * speech worker did, with word timings.
   */
  transcriptOrigin: 'request' | 'sidecar' | 'embedded' | 'transcribed' | 'speech';
  cueCount: number;
  /**
   * Set when the speech worker must transcribe the source (the workflow calls it, then writes
   * `transcriptPath` with `speechTranscript`); absent once the transcript exists.
   */
  speechJob?: SpeechJob;
  /**
   * The local file later stages read: the source itself, or for a URL source the download in the
   * workspace. Optional only so results recorded before it existed still replay.
   */
  sourcePath?: string;
}
export interface TranscriptResult {
  momentPath: string;
  startS: number;
  endS: number;
  /** Problems the stage knows of in its artifact, for the QA gate. */
  notes?: string[];
}
export interface ContentResult {
  assetsPath: string;
  veo3Prompts: Veo3Prompt[];
  /** Who wrote the copy (the assets' `generator`); absent in runs recorded before it was reported. */
  generator?: string;
  /** Problems the stage knows of in its artifact, for the QA gate (e.g. a malformed model answer replaced by the templates). */
  notes?: string[];
}
export interface LayoutResult {
  layoutPath: string;
  segments: LayoutSegment[];
}
export interface EngineerResult {
  /** Video-only segments, in order (runs before the one-encode render; now empty). */
  segmentPaths: string[];
  /** The moment's audio in one piece, so it runs on unbroken across segment joins. */
  audioPath: string;
  /** render-plan.json: what ASSEMBLY's one encode renders (absent in runs before it). */
  planPath?: string;
}
export interface AssemblyResult {
  reelPath: string;
  durationS: number;
  /** B-roll clips placed in the reel, and why others were not. */
  brollPlaced: number;
  brollSkipped: { key: string; reason: string }[];
  /** The user's own cutaways and overlay images placed, and why others were not (runs with directives). */
  userPlaced?: number;
  userSkipped?: { key: string; path: string; reason: string }[];
}
export interface DeliveryResult {
  outputDir: string;
  reelPath: string;
  assetsPath: string;
  summaryPath: string;
  /** Absent in results recorded before webhooks existed (replays of older runs). */
  webhook?: WebhookOutcome;
}

export interface WebhookOutcome {
  status: 'sent' | 'failed' | 'not_configured';
  attempts: number;
  error?: string;
}

/** Stage timings as DELIVERY writes them into summary.md. */
export interface StageTiming {
  stage: string;
  durationMs?: number;
  attempts: number;
  /** QA verdicts of the stage's attempts, in order (gated stages only). */
  qa?: Pick<QaVerdict, 'verdict' | 'score'>[];
}

export interface ReelResult {
  workflowId: string;
  workspace: string;
  reelPath: string;
  assetsPath: string;
  durationS: number;
  moment: { startS: number; endS: number };
  broll: { requested: number; generated: number; placed: number };
}
