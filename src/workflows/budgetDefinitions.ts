/** The Update, signals and query of the budget ledger workflow, shared by the workflow and the activities that call it. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CommitRequest, LedgerView, ReserveGrant, ReserveRequest } from '../domain/budget';

/**
 * Reserve the cost of a paid call; the validator refuses what would go over the cap (no history is
 * written). The one message a submission waits for: its answer decides whether the call is made.
 */
export const reserveUpdate = defineUpdate<ReserveGrant, [ReserveRequest]>('reserve');
/**
 * The call was made: record what it cost (an unknown outcome is committed too: it may be charged).
 * A signal, not an Update: nobody waits for its answer, and until it is handled the reservation
 * still counts, so the cap only errs on the safe side.
 */
export const commitSignal = defineSignal<[CommitRequest]>('commit');
/** The call provably cost nothing (refused before a job was created): free the reservation (a signal, as commit). */
export const releaseSignal = defineSignal<[{ id: string }]>('release');
export const ledgerQuery = defineQuery<LedgerView>('ledger');

export const BUDGET_WORKFLOW_TYPE = 'budgetLedger';

/**
 * Commit and release as they were sent before they became signals: still handled, so a day's ledger
 * that was running across the upgrade replays its history and accepts a late message. Nothing sends them now.
 */
export const legacyCommitUpdate = defineUpdate<void, [CommitRequest]>('commit');
export const legacyReleaseUpdate = defineUpdate<void, [{ id: string }]>('release');
