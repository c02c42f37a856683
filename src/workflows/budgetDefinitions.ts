/** Updates and the query of the budget ledger workflow, shared by the workflow and the activities that call it. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CommitRequest, LedgerView, ReserveGrant, ReserveRequest } from '../domain/budget';

/** Reserve the cost of a paid call; the validator refuses what would go over the cap (no history is written). */
export const reserveUpdate = defineUpdate<ReserveGrant, [ReserveRequest]>('reserve');
/** The call was made: record what it cost (an unknown outcome is committed too: it may be charged). */
export const commitUpdate = defineUpdate<void, [CommitRequest]>('commit');
/** The call provably cost nothing (refused before a job was created): free the reservation. */
export const releaseUpdate = defineUpdate<void, [{ id: string }]>('release');
export const ledgerQuery = defineQuery<LedgerView>('ledger');

export const BUDGET_WORKFLOW_TYPE = 'budgetLedger';
