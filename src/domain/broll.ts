/**
 * B-roll generation: the jobs table (mirrored to veo3/jobs.json), the child workflow's input and
 * result, and the statuses a clip moves through.
 */
import type { Veo3Prompt } from './reel';

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
  // Ended by the gate.
  TIMED_OUT: 'timed_out',
  CANCELLED: 'cancelled',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** One row of veo3/jobs.json (field names as the original design's file, for tools that read it). */
export interface BrollJob {
  idempotent_key: string;
  variant: Veo3Prompt['variant'];
  status: JobStatus;
  operation: string | null;
  video_path: string | null;
  error_message: string | null;
  /** Submissions made for this clip (a retry adds one). */
  attempts: number;
  updated_at: string;
  /** What was asked, so a retry can resubmit and ASSEMBLY can place the clip. */
  prompt: string;
  duration_s: Veo3Prompt['duration_s'];
  narrative_anchor: string;
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
  prompts: Veo3Prompt[];
  aspectRatio: BrollSettings['aspectRatio'];
  pollInitialS: number;
  pollMaxS: number;
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
