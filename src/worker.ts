/**
 * Composition root of the worker: builds activity dependencies and starts a worker on the reelflow
 * task queue. `npm run worker` runs it standalone; the demo and tests call createWorker.
 */
import { Client } from '@temporalio/client';
import type { NativeConnection, WorkflowBundle } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import type { AppConfig } from './config';
import { loadConfig } from './config';
import { checkSystemTools } from './dev/systemTools';
import type { Providers } from './providers';
import { createProviders } from './providers';
import { connectClient, connectWorker } from './temporal/connection';
import { ensureSearchAttributes } from './temporal/searchAttributes';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  config: AppConfig;
  providers: Providers;
  /** A prebuilt bundle (tests bundle once per file); otherwise workflows are bundled from source. */
  workflowBundle?: WorkflowBundle;
}

export function createWorker({ connection, config, providers, workflowBundle }: CreateWorkerOptions): Promise<Worker> {
  // The budget ledgers are reached over the worker's own connection.
  const temporalClient = new Client({ connection, namespace: config.temporal.namespace });
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({ config, providers, temporalClient }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Check, never install: installing belongs to `npm run setup`, the demo and `reelflow dev`.
  await checkSystemTools();
  const client = await connectClient(config.temporal);
  await ensureSearchAttributes(client.connection, config.temporal.namespace);
  const providers = await createProviders(config, console.log);
  const worker = await createWorker({ connection: await connectWorker(config.temporal), config, providers });
  console.log(
    `reelflow worker on ${config.temporal.address}, task queue "${config.temporal.taskQueue}", runs in ${config.runsDir}; ` +
      `video provider: ${providers.video.name}`,
  );
  try {
    await worker.run();
  } finally {
    await providers.close();
    await client.connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
