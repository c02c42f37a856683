/**
 * Signals, queries and search attributes of reelflow workflows, shared by the workflows, the
 * worker, the CLI and the API so all of them use the same names.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Progress } from '../domain/progress';

export const progressQuery = defineQuery<Progress>('progress');
/** Rerun the failed stage and everything after it. */
export const resumeSignal = defineSignal('resume');

export const PipelineKindKey = defineSearchAttributeKey('PipelineKind', SearchAttributeType.KEYWORD);
export const PipelineStageKey = defineSearchAttributeKey('PipelineStage', SearchAttributeType.KEYWORD);
export const PipelineStatusKey = defineSearchAttributeKey('PipelineStatus', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTE_KEYS = [PipelineKindKey, PipelineStageKey, PipelineStatusKey];

export const WORKFLOW_TYPES = { reel: 'reelPipeline' } as const;
