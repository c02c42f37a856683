/** What the `progress` query returns: enough to draw a live view of a run without reading files. */
import type { RunCost } from './cost';
import type { EpisodeClip } from './episode';
import type { QaAttempt } from './qa';

export const PipelineStatus = {
  RUNNING: 'RUNNING',
  /** A stage failed: the run is open and waits for `resume` (awaitingResume), or it closed failed. */
  FAILED: 'FAILED',
  COMPLETED: 'COMPLETED',
  /** The run was cancelled through Temporal. */
  CANCELLED: 'CANCELLED',
} as const;
export type PipelineStatus = (typeof PipelineStatus)[keyof typeof PipelineStatus];

/** `episode`: several clips from one source; `clip`: one of them (a child of its episode). */
export type PipelineKind = 'reel' | 'video' | 'episode' | 'clip';

export interface StageRecord {
  stage: string;
  status: 'running' | 'completed' | 'failed';
  /** ISO time the stage first started. */
  startedAt: string;
  /** Milliseconds from first start to completion (or to now's last failure). */
  durationMs?: number;
  /** How many times the stage ran (1 unless it was resumed or reworked). */
  attempts: number;
  error?: string;
  /** QA gate attempts and verdicts (gated stages only). */
  qa?: QaAttempt[];
}

/** A pipeline event: dot-namespaced, snake_case, past tense. */
export interface PipelineEvent {
  at: string;
  type: string;
  stage?: string;
  data?: Record<string, unknown>;
}

export interface Progress {
  kind: PipelineKind;
  workflowId: string;
  stage: string;
  status: PipelineStatus;
  /** Prompt to video: pending → storyboarding → keyframing → video_gen → stitching → complete (or failed). */
  phase?: string;
  startedAt: string;
  completedAt?: string;
  workspace?: string;
  stages: StageRecord[];
  events: PipelineEvent[];
  /** Last stage failure (while the run waits for `resume`, or why it closed). */
  error?: string;
  /** The stage that failed, and the failure's type (INVALID_REQUEST, MEDIA_NOT_FOUND, …). */
  failedStage?: string;
  errorType?: string;
  /** A stage failed and the open run waits for `resume` (the `resume` Update is accepted now). */
  awaitingResume?: boolean;
  /** B-roll clips by status, once generation has started. */
  broll?: Record<string, number>;
  /** Episodes: the ranked table of clips, best first. */
  clips?: EpisodeClip[];
  /** Clips: the episode this clip belongs to. */
  episodeId?: string;
  /** The estimate recorded at the start and every metered paid call (absent in runs recorded before metering). */
  cost?: RunCost;
  /** Each move of the run to another host after its host was lost (README "Scaling out"). */
  hostChanges?: HostChange[];
}

/** A run moved from a lost host to another one and restarted its host-bound stages there. */
export interface HostChange {
  at: string;
  from: string;
  to: string;
  /** The stage that found the host gone. */
  stage: string;
  reason: string;
  /** B-roll clips the lost host's child had sent, taken over by the new host (polled and downloaded again, not resubmitted). */
  brollAdopted?: number;
  /** Set when B-roll had started on the lost host and nothing of it could be taken over: the reel has none. */
  brollDropped?: string;
}
