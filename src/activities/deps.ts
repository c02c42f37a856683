import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Providers } from '../providers';

/** What the worker injects into activities (see src/worker.ts). */
export interface ActivityDeps {
  config: AppConfig;
  /** Model providers; activities that need one fail clearly without it. */
  providers?: Providers;
  /** Reaches the budget ledger workflows (BUDGET_DAILY_USD, maxCostUsd); without it a cap cannot be kept. */
  temporalClient?: Client;
  /** True when this process also serves its host's task queues (config.host), so runs may be pinned to it. */
  servesHostQueues?: boolean;
}
