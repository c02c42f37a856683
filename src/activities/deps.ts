import type { AppConfig } from '../config';

/** What the worker injects into activities (see src/worker.ts). */
export interface ActivityDeps {
  config: AppConfig;
}
