/**
 * B-roll generation: the jobs table (mirrored to veo3/jobs.json), the child workflow's input and
 * result, and the statuses a clip moves through.
 */
import type { PriceProvider } from './cost';
import type { HostQueues } from './hosts';
import type { Veo3Prompt } from './reel';

/** One clip to generate: a B-roll prompt, or a prompt-to-video scene with its key frames. */
export interface ClipPrompt {
  /** Names the clip in its idempotent key: a B-roll variant (intro, broll…) or `scene-3`. */
  variant: string;
  prompt: string;
  duration_s: Veo3Prompt['duration_s'];
  /** Where the clip belongs in the reel's transcript (B-roll); empty for scenes. */
  narrative_anchor: string;
  /** Image-to-video: the first frame, and the last where the model supports it. */
  start_image?: string;
  last_image?: string;
}

export const JobStatus = {
  PENDING: 'pending',
  /** Accepted by the provider; being polled. */
  SUBMITTED: 'submitted',
  DONE: 'done',
  // Retriable failures: a retry can succeed.
  SUBMIT_FAILED: 'submit_failed',
  RATE_LIMITED: 'rate_limited',
  POLL_FAILED: 'poll_failed',
  // Permanent failures: the same request would fail again.
  DOWNLOAD_FAILED: 'download_failed',
  GENERATION_FAILED: 'generation_failed',
  INVALID_CLIP: 'invalid_clip',
  INVALID_ARGUMENT: 'invalid_argument',
  RAI_FILTERED: 'rai_filtered',
  /** The provider no longer serves any of the configured models (the message names the setting). */
  MODEL_UNAVAILABLE: 'model_unavailable',
  /** Not submitted: it would have gone over the run's or the day's budget cap. */
  OVER_BUDGET: 'over_budget',
  // Unknown: the provider may have accepted (and be charging for) the job. Never resubmitted
  // automatically; `reelflow broll retry <id> --include-unknown` resubmits it knowingly.
  SUBMIT_UNKNOWN: 'submit_unknown',
  // Ended by the gate.
  TIMED_OUT: 'timed_out',
  CANCELLED: 'cancelled',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** One row of veo3/jobs.json (field names as the original design's file, for tools that read it). */
export interface BrollJob {
  idempotent_key: string;
  variant: string;
  status: JobStatus;
  operation: string | null;
  video_path: string | null;
  error_message: string | null;
  /** Submissions made for this clip (a retry adds one). */
  attempts: number;
  updated_at: string;
  /** What the accepted job costs (seconds × the model's rate); absent until a job is accepted. */
  cost_usd?: number;
  /** The model that took the job, and where it is priced. */
  model?: string;
  provider?: PriceProvider;
  /** Output tokens the provider reported for the finished clip (Gemini Omni), metered with it. */
  output_tokens?: number;
  /** What was asked, so a retry can resubmit and ASSEMBLY can place the clip. */
  prompt: string;
  duration_s: Veo3Prompt['duration_s'];
  narrative_anchor: string;
  start_image?: string;
  last_image?: string;
}

export interface BrollSettings {
  clipCount: number;
  timeoutS: number;
  aspectRatio: '9:16' | '16:9';
  pollInitialS: number;
  pollMaxS: number;
}

export interface BrollInput {
  /** The reel run's workflow id (idempotent keys are `{runId}_{variant}`). */
  runId: string;
  workspace: string;
  /** Already capped at VEO3_CLIP_COUNT. */
  prompts: ClipPrompt[];
  aspectRatio: BrollSettings['aspectRatio'];
  pollInitialS: number;
  pollMaxS: number;
  /** At most this many clips generating at once (default: all). */
  maxConcurrent?: number;
  /** Budget scope of the paid submissions: the run that pays, and its own cap (maxCostUsd). */
  budget?: ClipBudget;
  /** The host holding the workspace (src/domain/hosts.ts); absent: the child's own task queue. */
  host?: HostQueues;
  /**
   * The jobs table of a child whose host was lost (src/workflows/reel.ts): accepted jobs are polled
   * and downloaded again here, never submitted again; see adoptJob in src/workflows/brollJobs.ts.
   */
  adopted?: BrollJob[];
}

/** Which run a paid submission is charged to, and that run's cap (none: only the daily cap applies). */
export interface ClipBudget {
  runId: string;
  maxCostUsd?: number;
}

/** What the child reports to its parent on every change, and returns at the end. */
export interface BrollSnapshot {
  jobs: BrollJob[];
  /** Retry rounds the child has carried out (lets the parent tell a fresh table from a stale one). */
  retries: number;
  /** How the child ended, once it has. */
  ended?: 'finished' | 'timeout' | 'cancelled';
}

/** A clip ready for ASSEMBLY. */
export interface BrollClip {
  key: string;
  path: string;
  narrativeAnchor: string;
  durationS: number;
}

export type FinishReason = 'finished' | 'timeout' | 'cancelled';

/** One operation for the batched poll activity. */
export interface PollRequest {
  key: string;
  operation: string;
  durationS: number;
  aspectRatio: '9:16' | '16:9';
}

/** What a poll found for one clip. */
export type PollResult =
  | { key: string; status: 'submitted' }
  /** A poll that failed for a reason that may pass (network, 5xx): the workflow counts these. */
  | { key: string; status: 'poll_error'; error: string }
  | { key: string; status: 'done'; videoPath: string; outputTokens?: number }
  | { key: string; status: JobStatus; error: string };
