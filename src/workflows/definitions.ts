/**
 * Signals, queries and search attributes of reelflow workflows, shared by the workflows, the
 * worker, the CLI and the API so all of them use the same names.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BrollJob, BrollSnapshot, FinishReason } from '../domain/broll';
import type { CancelBrollOutcome, ResumeOutcome, RetryBrollOutcome, RetryBrollRequest } from '../domain/control';
import { ControlName } from '../domain/control';
import type { Progress } from '../domain/progress';

export const progressQuery = defineQuery<Progress>('progress');

/**
 * Control messages are Updates: the caller gets an answer, and a validator rejects what makes no
 * sense now (resume a healthy run, retry after the gate closed). The same names stay accepted as
 * signals for people and scripts, under the same rules: a signal at the wrong time is recorded as
 * ignored, never kept for later.
 */
/** Rerun the failed stage and everything after it. */
export const resumeUpdate = defineUpdate<ResumeOutcome>(ControlName.RESUME);
export const resumeSignal = defineSignal(ControlName.RESUME);
/** Resubmit the failed B-roll clips now (all, or the keys given). */
export const retryBrollUpdate = defineUpdate<RetryBrollOutcome, [RetryBrollRequest | undefined]>(
  ControlName.RETRY_BROLL,
);
/** Stop B-roll generation; the gate goes on with the clips that exist. */
export const cancelBrollUpdate = defineUpdate<CancelBrollOutcome>(ControlName.CANCEL_BROLL);

export const PipelineKindKey = defineSearchAttributeKey('PipelineKind', SearchAttributeType.KEYWORD);
export const PipelineStageKey = defineSearchAttributeKey('PipelineStage', SearchAttributeType.KEYWORD);
export const PipelineStatusKey = defineSearchAttributeKey('PipelineStatus', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTE_KEYS = [PipelineKindKey, PipelineStageKey, PipelineStatusKey];

/** Signal forms (on the run; the parent forwards them to its B-roll child, which takes them too). */
export const retryBrollSignal = defineSignal<[RetryBrollRequest?]>(ControlName.RETRY_BROLL);
export const cancelBrollSignal = defineSignal(ControlName.CANCEL_BROLL);
/** The B-roll jobs table (on the run or the child). */
export const brollQuery = defineQuery<BrollJob[]>('broll');
/** Child → parent: the jobs table changed. */
export const brollUpdatedSignal = defineSignal<[BrollSnapshot]>('brollUpdated');
/** Parent → child: the gate is closing; settle every job and return. */
export const finishBrollSignal = defineSignal<[FinishReason]>('finishBroll');

export const WORKFLOW_TYPES = {
  reel: 'reelPipeline',
  broll: 'brollGeneration',
  video: 'promptToVideo',
  restitch: 'restitchVideo',
  episode: 'episodeClips',
  clip: 'episodeClip',
} as const;
