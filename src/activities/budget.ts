/**
 * The activities' side of the budget caps: reserves a paid call's cost in the day's ledger (when
 * BUDGET_DAILY_USD is set) and in the run's own ledger (when the run has maxCostUsd), through
 * update-with-start (commit and release: signal-with-start) so the ledger exists on first use. A call that costs 0 (offline) reserves
 * nothing: there is nothing to cap.
 */
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { LedgerInput } from '../domain/budget';
import { dailyLedgerId, runLedgerId } from '../domain/budget';
import type { ClipBudget } from '../domain/broll';
import {
  BUDGET_WORKFLOW_TYPE,
  commitSignal,
  ledgerQuery,
  releaseSignal,
  reserveUpdate,
} from '../workflows/budgetDefinitions';

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
  /** Told each time a ledger refused to admit a reservation for now (too many in flight), before the retry. */
  onAdmissionRefused?: (ledgerId: string, attempt: number) => void;
}

/**
 * Temporal admits a bounded number of Updates in flight per workflow (10 on the dev server:
 * `limit on number of concurrent in-flight updates has been reached`) and refuses the rest with
 * RESOURCE_EXHAUSTED. Many submissions reserving in one ledger at once (a day's ledger is shared by
 * every run) would meet it. So, by design:
 * - one worker process sends at most LEDGER_UPDATES_IN_FLIGHT reservations to a ledger at a time,
 *   the others wait their turn here (each Update is one short round trip);
 * - workers together can still go over: the client's gRPC retry already resends RESOURCE_EXHAUSTED
 *   with backoff (about 40 s in all, measured), and after that we try again a few times. Safe: a
 *   refused Update never reached the ledger, so nothing was reserved; and a reservation is
 *   idempotent by its id anyway (the ledger grants a repeated id without counting it twice).
 */
export const LEDGER_UPDATES_IN_FLIGHT = 8;
const ADMISSION_ATTEMPTS = 3;
const ADMISSION_DELAY_MS = 2_000;
/** gRPC status RESOURCE_EXHAUSTED. */
const RESOURCE_EXHAUSTED = 8;

/** Reservations this process has in flight per ledger, and the ones waiting for a place. */
const admission = new Map<string, { inFlight: number; waiting: (() => void)[] }>();

/** How many reservations this process has in flight to `ledgerId`, and how many wait (for tests and logs). */
export function ledgerAdmission(ledgerId: string): { inFlight: number; waiting: number } {
  const entry = admission.get(ledgerId);
  return { inFlight: entry?.inFlight ?? 0, waiting: entry?.waiting.length ?? 0 };
}

async function withAdmission<T>(ledgerId: string, work: () => Promise<T>): Promise<T> {
  let entry = admission.get(ledgerId);
  if (!entry) admission.set(ledgerId, (entry = { inFlight: 0, waiting: [] }));
  const slot = entry;
  if (slot.inFlight >= LEDGER_UPDATES_IN_FLIGHT) await new Promise<void>((resolve) => slot.waiting.push(resolve));
  else slot.inFlight += 1;
  try {
    return await work();
  } finally {
    // Hand the place straight to the next in line; the last one out removes the entry.
    const next = slot.waiting.shift();
    if (next) next();
    else if (--slot.inFlight === 0) admission.delete(ledgerId);
  }
}

/** True when the server refused to admit the Update for now (the client passes the gRPC error on, maybe wrapped). */
export function isAdmissionRefused(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth += 1) {
    if ((e as { code?: unknown }).code === RESOURCE_EXHAUSTED) return true;
  }
  return false;
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

  /** Starts the run's ledger with its cap (if it is not running yet), so calls can find it by run id. */
  async openRunLedger(run: { runId: string; maxCostUsd: number }): Promise<void> {
    const [ref] = this.ledgersFor(run, new Date());
    await this.client().workflow.start(BUDGET_WORKFLOW_TYPE, {
      workflowId: ref!.workflowId,
      taskQueue: this.settings.taskQueue,
      args: [ref!.input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /** The run's ledger if the run has one running (a run with a cap), else none. */
  async existingRunLedger(runId: string): Promise<LedgerRef[]> {
    const handle = this.client().workflow.getHandle(runLedgerId(runId));
    const running = await handle.describe().then(
      (d) => d.status.name === 'RUNNING',
      (err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      },
    );
    if (!running) return [];
    const view = await handle.query(ledgerQuery);
    return view.capUsd === undefined ? [] : this.ledgersFor({ runId, maxCostUsd: view.capUsd }, new Date()).slice(0, 1);
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
   * Reserves `usd` in every ledger at once: one update-with-start each, sent together, so a
   * submission waits for one round trip however many caps apply. When one refuses, the ones
   * granted are released and OverBudgetError says which cap and why.
   */
  async reserve(refs: LedgerRef[], request: { id: string; usd: number; label: string; runId?: string }): Promise<void> {
    const outcomes = await Promise.allSettled(refs.map((ref) => this.reserveIn(ref, request)));
    const refused = outcomes.findIndex((o) => o.status === 'rejected');
    if (refused < 0) return;
    await this.release(
      refs.filter((_, i) => outcomes[i]!.status === 'fulfilled'),
      request.id,
    );
    const err = (outcomes[refused] as PromiseRejectedResult).reason as unknown;
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = err.cause?.message ?? err.message;
      throw new OverBudgetError(`${refs[refused]!.input.scope}: ${reason}`);
    }
    throw err;
  }

  /** One reservation: waits for a place (LEDGER_UPDATES_IN_FLIGHT), retried while the ledger refuses to admit it. */
  private async reserveIn(ref: LedgerRef, request: { id: string; usd: number; label: string; runId?: string }) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await withAdmission(ref.workflowId, () =>
          this.client().workflow.executeUpdateWithStart(reserveUpdate, {
            args: [request],
            startWorkflowOperation: this.operation(ref),
          }),
        );
      } catch (err) {
        if (!isAdmissionRefused(err) || attempt >= ADMISSION_ATTEMPTS) throw err;
        this.settings.onAdmissionRefused?.(ref.workflowId, attempt);
        // Jittered: the submissions refused together should not come back together.
        await new Promise((resolve) => setTimeout(resolve, ADMISSION_DELAY_MS * (0.5 + Math.random())));
      }
    }
  }

  /**
   * Records what the call cost. A signal-with-start each, sent together: the ledger has it durably
   * once this returns, and until the ledger handles it the reservation keeps counting (safe side).
   */
  async commit(refs: LedgerRef[], id: string, usd: number): Promise<void> {
    await Promise.all(refs.map((ref) => this.signal(ref, commitSignal, { id, usd })));
  }

  async release(refs: LedgerRef[], id: string): Promise<void> {
    await Promise.all(refs.map((ref) => this.signal(ref, releaseSignal, { id })));
  }

  private async signal(ref: LedgerRef, signal: { name: string }, arg: unknown): Promise<void> {
    await this.client().workflow.signalWithStart(BUDGET_WORKFLOW_TYPE, {
      workflowId: ref.workflowId,
      taskQueue: this.settings.taskQueue,
      args: [ref.input],
      signal: signal.name,
      signalArgs: [arg],
    });
  }
}
