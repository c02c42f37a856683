/**
 * The activities' side of the budget caps: reserves a paid call's cost in the day's ledger (when
 * BUDGET_DAILY_USD is set) and in the run's own ledger (when the run has maxCostUsd), through
 * update-with-start so the ledger exists on first use. A call that costs 0 (offline) reserves
 * nothing: there is nothing to cap.
 */
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import type { LedgerInput } from '../domain/budget';
import { dailyLedgerId, runLedgerId } from '../domain/budget';
import type { ClipBudget } from '../domain/broll';
import { BUDGET_WORKFLOW_TYPE, commitUpdate, releaseUpdate, reserveUpdate } from '../workflows/budgetDefinitions';

const HOUR_MS = 3_600_000;
/** A day's ledger outlives its day; a run's ledger waits a week for a late retry. */
const DAY_LEDGER_IDLE_MS = 26 * HOUR_MS;
const RUN_LEDGER_IDLE_MS = 7 * 24 * HOUR_MS;

export class OverBudgetError extends Error {
  override name = 'OverBudgetError';
}

export interface BudgetSettings {
  client?: Client;
  namespace: string;
  taskQueue: string;
  dailyUsd?: number;
}

/** The ledgers one reservation was made in (kept in the intent record, so commit finds the same day). */
export interface LedgerRef {
  workflowId: string;
  input: LedgerInput;
}

export class PaidBudget {
  constructor(private readonly settings: BudgetSettings) {}

  /** The ledgers a call charged to `run` must reserve in (none when no cap applies). */
  ledgersFor(run: ClipBudget | undefined, now: Date): LedgerRef[] {
    const refs: LedgerRef[] = [];
    if (run?.maxCostUsd !== undefined) {
      refs.push({
        workflowId: runLedgerId(run.runId),
        input: { scope: `run ${run.runId}`, capUsd: run.maxCostUsd, idleCloseMs: RUN_LEDGER_IDLE_MS },
      });
    }
    if (this.settings.dailyUsd !== undefined) {
      const id = dailyLedgerId(this.settings.namespace, now);
      refs.push({
        workflowId: id,
        input: {
          scope: `daily budget of namespace ${this.settings.namespace} on ${now.toISOString().slice(0, 10)}`,
          capUsd: this.settings.dailyUsd,
          idleCloseMs: DAY_LEDGER_IDLE_MS,
        },
      });
    }
    return refs;
  }

  private client(): Client {
    if (!this.settings.client)
      throw new Error('a budget cap is set, but this worker was built without a Temporal client for the ledgers');
    return this.settings.client;
  }

  private operation(ref: LedgerRef) {
    return new WithStartWorkflowOperation(BUDGET_WORKFLOW_TYPE, {
      workflowId: ref.workflowId,
      taskQueue: this.settings.taskQueue,
      args: [ref.input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /**
   * Reserves `usd` in every ledger, in order; when one refuses, the ones already granted are
   * released and OverBudgetError says which cap and why.
   */
  async reserve(refs: LedgerRef[], request: { id: string; usd: number; label: string; runId?: string }): Promise<void> {
    const granted: LedgerRef[] = [];
    for (const ref of refs) {
      try {
        await this.client().workflow.executeUpdateWithStart(reserveUpdate, {
          args: [request],
          startWorkflowOperation: this.operation(ref),
        });
        granted.push(ref);
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          await this.release(granted, request.id);
          const reason = err.cause?.message ?? err.message;
          throw new OverBudgetError(`${ref.input.scope}: ${reason}`);
        }
        throw err;
      }
    }
  }

  async commit(refs: LedgerRef[], id: string, usd: number): Promise<void> {
    for (const ref of refs) {
      await this.client().workflow.executeUpdateWithStart(commitUpdate, {
        args: [{ id, usd }],
        startWorkflowOperation: this.operation(ref),
      });
    }
  }

  async release(refs: LedgerRef[], id: string): Promise<void> {
    for (const ref of refs) {
      await this.client().workflow.executeUpdateWithStart(releaseUpdate, {
        args: [{ id }],
        startWorkflowOperation: this.operation(ref),
      });
    }
  }
}
