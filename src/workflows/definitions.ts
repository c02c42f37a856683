/**
 * Signals, queries and search attributes of reelflow workflows, shared by the workflows, the
 * worker, the CLI and the API so all of them use the same names.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BrollJob, BrollSnapshot, FinishReason } from '../domain/broll';
import type { Progress } from '../domain/progress';

export const progressQuery = defineQuery<Progress>('progress');
/** Rerun the failed stage and everything after it. */
export const resumeSignal = defineSignal('resume');

export const PipelineKindKey = defineSearchAttributeKey('PipelineKind', SearchAttributeType.KEYWORD);
export const PipelineStageKey = defineSearchAttributeKey('PipelineStage', SearchAttributeType.KEYWORD);
export const PipelineStatusKey = defineSearchAttributeKey('PipelineStatus', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTE_KEYS = [PipelineKindKey, PipelineStageKey, PipelineStatusKey];

/** Resubmit the failed B-roll clips now (on the run; forwarded to its B-roll child). */
export const retryBrollSignal = defineSignal('retryBroll');
/** Stop B-roll generation; the gate goes on with the clips that exist (on the run or the child). */
export const cancelBrollSignal = defineSignal('cancelBroll');
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
} as const;
