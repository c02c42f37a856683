/**
 * Metering of paid text and image calls. The activities that call a text or image model run inside
 * `collectUsage`; what the API reported (tokens, images) is priced from the price table and
 * returned on the result as `cost`, which the workflow adds to the run's progress (ids make a
 * retried activity count once). When BUDGET_DAILY_USD is set, the cost is also committed to the
 * day's ledger after the call: text and image calls are small next to a clip, so they are charged,
 * not reserved — what they spend counts against the clips submitted after them.
 */
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { MeteredCall } from '../domain/cost';
import { imageRate, textCost } from '../domain/cost';
import { priceProvider, pricesFor } from '../pricing';
import type { Usage } from '../providers/usage';
import { collectUsage } from '../providers/usage';
import { PaidBudget } from './budget';

export type WithCost<R> = R & { cost?: MeteredCall[] };

function price(config: AppConfig, usage: Usage): number {
  const table = pricesFor(config);
  const provider = priceProvider(config, usage.kind);
  if (usage.kind === 'image') return (imageRate(table, provider, usage.model) ?? 0) * usage.images;
  return textCost(table, provider, usage.model, { input: usage.inputTokens, output: usage.outputTokens }) ?? 0;
}

/** Wraps an activity so the text and image calls it makes are metered and returned as `cost`. */
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
    const prefix = `${info.workflowExecution?.workflowId ?? info.activityType}:${info.activityId}:${info.attempt}`;
    let usage: Usage[] = [];
    try {
      const collected = await collectUsage(() => activity(input));
      usage = collected.usage;
      return usage.length > 0 ? { ...collected.result, cost: calls() } : collected.result;
    } finally {
      // A failed attempt's calls were paid too: they reach the day's ledger, if not the progress.
      const total = usage.reduce((sum, u) => sum + price(deps.config, u), 0);
      if (total > 0 && deps.temporalClient) {
        await budget.commit(budget.ledgersFor(undefined, new Date()), prefix, total);
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
