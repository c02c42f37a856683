/** Per-file Temporal helpers: clients for the shared dev server, one workflow bundle, unique ids and queues. */
import { Client, Connection } from '@temporalio/client';
import { IllegalStateError } from '@temporalio/common';
import type { WorkflowBundle } from '@temporalio/worker';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

export interface TestTemporal {
  address: string;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/**
 * The Temporal Runtime (one per process) with a quiet logger. A test process runs several files one
 * after another (vitest.config.mts, isolate: false), so the first file to ask installs it and the
 * others use it.
 */
export function installTestRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch (err) {
    // Installed (or instantiated) by a file that ran before in this process.
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

export async function connectTestTemporal(): Promise<TestTemporal> {
  installTestRuntime();
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/**
 * The workflow bundle the global setup made once for the whole run (src/workflows as it was when
 * the run started); create a fresh worker per test from it.
 */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return { code: await readFile(inject('workflowBundlePath'), 'utf8') };
}

/**
 * Environment for a worker in a process of its own (src/worker.ts, the demo): it loads the run's
 * bundle instead of bundling src/workflows again, which costs each process seconds of CPU.
 */
export function prebuiltBundleEnv(): { WORKFLOW_BUNDLE_PATH: string } {
  return { WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
