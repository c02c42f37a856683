/**
 * Metering and caps of paid text and image calls. The activities that call a text or image model
 * run inside `collectUsage`; what the API reported (tokens, images) is priced from the price table
 * and returned on the result as `cost`, which the workflow adds to the run's progress (ids make a
 * retried activity count once).
 *
 * Caps: before each paid call the gate reserves the call's estimated cost (TEXT_CALL_TOKENS for a
 * text call, one image for an image call) in the day's ledger (BUDGET_DAILY_USD) and in the run's
 * ledger (when the run has maxCostUsd). A refusal means the call is not made: the activity fails
 * with `over_budget`, naming the cap, and the stage waits for a resume (there is no offline stand-in
 * that would give the same result, so nothing is silently replaced). After the activity, what the
 * calls cost is committed and the reservations are released.
 */
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../config';
import type { MeteredCall } from '../domain/cost';
import { imageRate, TEXT_CALL_TOKENS, textCost } from '../domain/cost';
import { priceProvider, pricesFor } from '../pricing';
import type { PaidCall, Usage } from '../providers/usage';
import { collectUsage } from '../providers/usage';
import type { LedgerRef } from './budget';
import { OverBudgetError, PaidBudget } from './budget';

export type WithCost<R> = R & { cost?: MeteredCall[] };

function price(config: AppConfig, usage: Usage): number {
  const table = pricesFor(config);
  const provider = priceProvider(config, usage.kind);
  if (usage.kind === 'image') return (imageRate(table, provider, usage.model) ?? 0) * usage.images;
  return textCost(table, provider, usage.model, { input: usage.inputTokens, output: usage.outputTokens }) ?? 0;
}

/** What a call is expected to cost before it is made (undefined: the price table has no row for it). */
function estimatedPrice(config: AppConfig, call: PaidCall): number | undefined {
  const table = pricesFor(config);
  const provider = priceProvider(config, call.kind);
  if (call.kind === 'image') return imageRate(table, provider, call.model);
  return textCost(table, provider, call.model, TEXT_CALL_TOKENS);
}

/** Wraps an activity so the text and image calls it makes are capped, metered and returned as `cost`. */
export function metered<A, R extends object>(
  deps: { config: AppConfig; temporalClient?: Client },
  label: string,
  activity: (input: A) => Promise<R>,
): (input: A) => Promise<WithCost<R>> {
  const budget = new PaidBudget({
    ...(deps.temporalClient ? { client: deps.temporalClient } : {}),
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...(deps.config.budget.dailyUsd !== undefined ? { dailyUsd: deps.config.budget.dailyUsd } : {}),
  });
  return async (input) => {
    const info = activityInfo();
    const runId = info.workflowExecution?.workflowId;
    const prefix = `${runId ?? info.activityType}:${info.activityId}:${info.attempt}`;
    // Ledger ids also name the workflow run: activity ids repeat after a reset, and a ledger
    // grants and settles an id it has seen once only.
    const ledgerKey = `${prefix}:${info.workflowExecution?.runId ?? ''}`;
    // The first activity of a run carries its request: a run cap opens the run's ledger there, so
    // the text calls made before any clip count against it too.
    const runCap = (input as { request?: { maxCostUsd?: number } } | undefined)?.request?.maxCostUsd;
    if (runId && runCap !== undefined && deps.temporalClient) await budget.openRunLedger({ runId, maxCostUsd: runCap });

    const usage: Usage[] = [];
    const reserved: { id: string; ledgers: LedgerRef[] }[] = [];
    // The day's ledger and the run's (if the run has a cap), looked up once per activity.
    let runLedger: Promise<LedgerRef[]> | undefined;
    const ledgers = async () => [
      ...budget.ledgersFor(undefined, new Date()),
      ...(await (runLedger ??= runId ? budget.existingRunLedger(runId) : Promise.resolve([]))),
    ];
    const gate = async (call: PaidCall): Promise<void> => {
      const usd = estimatedPrice(deps.config, call);
      if (usd === 0 || !deps.temporalClient) return;
      const refs = await ledgers();
      if (refs.length === 0) return;
      const id = `${ledgerKey}:reserve:${reserved.length}`;
      const what = `${call.kind === 'image' ? 'an image' : 'a text'} call to ${call.model} in ${label}`;
      if (usd === undefined) {
        throw ApplicationFailure.create({
          type: 'over_budget',
          nonRetryable: true,
          message: `no price for ${call.model} in the price table, so a budget cap cannot be kept: add it (PRICES_PATH)`,
        });
      }
      try {
        await budget.reserve(refs, { id, usd, label: what, ...(runId ? { runId } : {}) });
      } catch (err) {
        if (!(err instanceof OverBudgetError)) throw err;
        throw ApplicationFailure.create({
          type: 'over_budget',
          nonRetryable: true,
          message: `${label}: not made, over a budget cap: ${err.message}`,
        });
      }
      reserved.push({ id, ledgers: refs });
    };

    try {
      const result = await collectUsage(() => activity(input), usage, gate);
      return usage.length > 0 ? { ...result, cost: calls() } : result;
    } finally {
      // A failed attempt's calls were paid too: they reach the ledgers, if not the progress.
      const total = usage.reduce((sum, u) => sum + price(deps.config, u), 0);
      if (deps.temporalClient) {
        // Commit first, then free the estimates: the ledgers never count less than was spent.
        if (total > 0) await budget.commit(await ledgers(), ledgerKey, total);
        for (const r of reserved) await budget.release(r.ledgers, r.id);
      }
    }

    function calls(): MeteredCall[] {
      return usage.map((u, i) => ({
        id: `${prefix}:${i}`,
        kind: u.kind,
        provider: priceProvider(deps.config, u.kind),
        model: u.model,
        label,
        costUsd: Math.round(price(deps.config, u) * 1e6) / 1e6,
        ...(u.kind === 'image' ? { images: u.images } : { inputTokens: u.inputTokens, outputTokens: u.outputTokens }),
      }));
    }
  };
}
