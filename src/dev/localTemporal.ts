/**
 * A local Temporal dev server (SQLite, one process) for the demo, `reelflow dev` and the tests,
 * started through the SDK's ephemeral-server support with the CLI that temporalCli.ts provides.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/definitions';
import { ensureTemporalCli } from './temporalCli';

export interface LocalTemporalOptions {
  /** Keep the server's data in this SQLite file (default: in memory). */
  dbFilename?: string;
  /** Fixed port (default: a free one). */
  port?: number;
  /** Serve the Web UI on this port. */
  uiPort?: number;
  log?: (line: string) => void;
}

export interface LocalTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * How the local server matches tasks to workers.
 * - One partition per task queue. A server splits each queue into 4 partitions by default, and a
 *   task that lands in a partition none of the few live pollers is on waits for forwarding: after a
 *   worker was SIGKILLed, retried work sat 20 s or more on a host queue (bench/recovery.ts: 31–34 s
 *   from the kill instead of 13 s). A host's queues have one worker's pollers, so partitions buy nothing.
 * - The matcher that honours task priority (src/workflows/activityRoutes.ts MEDIA_PRIORITY); this
 *   server version does not turn it on by itself. With 8 reels at once the first arrived after 28 s
 *   instead of 53 s (bench/concurrency.ts; one reel alone: 19–22 s).
 */
export const MATCHING_DYNAMIC_CONFIG: Readonly<Record<string, number | boolean>> = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'matching.useNewMatcher': true,
};
// docker-compose.yml's Temporal loads the same values from temporal-dynamic-config.yaml (a test compares them).
const MATCHING = Object.entries(MATCHING_DYNAMIC_CONFIG).flatMap(([key, value]) => [
  '--dynamic-config-value',
  `${key}=${value}`,
]);

export async function startLocalTemporal(options: LocalTemporalOptions = {}): Promise<LocalTemporal> {
  const log = options.log ?? console.log;
  const server = {
    type: 'dev-server' as const,
    ip: '127.0.0.1',
    searchAttributes: SEARCH_ATTRIBUTE_KEYS,
    ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
    extraArgs: MATCHING,
  };
  if (options.dbFilename) await mkdir(path.dirname(options.dbFilename), { recursive: true });
  let env: TestWorkflowEnvironment;
  try {
    const cli = await ensureTemporalCli(log);
    env = await TestWorkflowEnvironment.createLocal({
      server: { ...server, executable: { type: 'existing-path', path: cli.path } },
    });
  } catch (err) {
    // Last resort, for machines with internet: the SDK downloads a dev server itself.
    try {
      env = await TestWorkflowEnvironment.createLocal({ server });
      log('using a Temporal dev server downloaded by the SDK');
    } catch {
      throw err;
    }
  }
  return {
    address: env.address,
    ...(options.uiPort ? { uiUrl: `http://127.0.0.1:${options.uiPort}` } : {}),
    stop: () => env.teardown(),
  };
}
