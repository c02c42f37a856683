/**
 * Composition root of the worker: builds activity dependencies and starts the workers of one host:
 * workflows and any activity on the shared task queue, plus this host's own queues (light work on its
 * workspaces, and media work bounded by MEDIA_CONCURRENCY). `npm run worker` runs it standalone; the
 * demo and `reelflow dev` call createWorkers; tests that need no host affinity call createWorker.
 */
import { Client } from '@temporalio/client';
import type { NativeConnection, WorkerOptions, WorkflowBundle } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import type { AppConfig } from './config';
import { loadConfig } from './config';
import { checkSystemTools } from './dev/systemTools';
import type { Providers } from './providers';
import { createProviders } from './providers';
import { connectClient, connectWorker } from './temporal/connection';
import { keepAliveInterceptor } from './temporal/keepAlive';
import { workerIdentity } from './temporal/projectFolders';
import { ensureSearchAttributes } from './temporal/searchAttributes';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  config: AppConfig;
  providers: Providers;
  /** A prebuilt bundle (tests bundle once per run); otherwise config.workflowBundlePath, or bundled from source. */
  workflowBundle?: WorkflowBundle;
  /** Set by createWorkers: this process also serves config.host's queues, so runs get pinned to it. */
  servesHostQueues?: boolean;
}

/**
 * Heartbeats reach the server at most this far apart (the SDK's default is 80% of the timeout, which
 * leaves a loaded machine one late beat from a timeout); see HEARTBEAT_TIMEOUT in activityRoutes.ts.
 */
const HEARTBEAT_THROTTLE = '3 seconds';

/** The worker on the shared task queue: workflows, and every activity (runs that are not pinned to a host). */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { connection, config, workflowBundle } = options;
  const bundle = workflowBundle ?? (config.workflowBundlePath ? { codePath: config.workflowBundlePath } : undefined);
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: activitiesOf(options),
    identity: workerIdentity(config.runsDir),
    ...ACTIVITY_WORKER_OPTIONS,
  });
}

const ACTIVITY_WORKER_OPTIONS: Pick<WorkerOptions, 'interceptors' | 'maxHeartbeatThrottleInterval'> = {
  interceptors: { activity: [keepAliveInterceptor] },
  maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
};

function activitiesOf({ connection, config, providers, servesHostQueues }: CreateWorkerOptions) {
  // The budget ledgers are reached over the worker's own connection.
  const temporalClient = new Client({ connection, namespace: config.temporal.namespace });
  return createActivities({ config, providers, temporalClient, servesHostQueues: servesHostQueues ?? false });
}

/** One host's workers, run and stopped together. */
export class HostWorkers {
  constructor(
    /** Workflows and unpinned activities on the shared queue. */
    readonly shared: Worker,
    /** Light activities of runs pinned to this host. */
    readonly host: Worker,
    /** Media activities of runs pinned to this host, at most config.host.mediaConcurrency at once. */
    readonly media: Worker,
  ) {}

  private get all(): Worker[] {
    return [this.shared, this.host, this.media];
  }

  async run(): Promise<void> {
    const runs = this.all.map((worker) => worker.run());
    try {
      await Promise.all(runs);
    } finally {
      // One stopping (a fatal error) stops the others, so the process never half-serves a host.
      this.shutdown();
      await Promise.allSettled(runs);
    }
  }

  /** Runs the workers until `fn` settles, then stops them and returns its result (like Worker.runUntil). */
  async runUntil<R>(fn: Promise<R> | (() => Promise<R>)): Promise<R> {
    const running = this.run();
    try {
      return await (typeof fn === 'function' ? fn() : fn);
    } finally {
      this.shutdown();
      await running;
    }
  }

  shutdown(): void {
    for (const worker of this.all) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}

/** The workers of one host: the shared queue plus this host's own light and bounded media queues. */
export async function createWorkers(options: CreateWorkerOptions): Promise<HostWorkers> {
  const { connection, config } = options;
  const pinned = { ...options, servesHostQueues: true };
  const activities = activitiesOf(pinned);
  const onHostQueue = (taskQueue: string, extra: { maxConcurrentActivityTaskExecutions?: number } = {}) =>
    Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      activities,
      identity: workerIdentity(config.runsDir),
      ...ACTIVITY_WORKER_OPTIONS,
      ...extra,
    });
  const [shared, host, media] = await Promise.all([
    createWorker(pinned),
    onHostQueue(config.host.hostQueue),
    onHostQueue(config.host.mediaQueue, { maxConcurrentActivityTaskExecutions: config.host.mediaConcurrency }),
  ]);
  return new HostWorkers(shared, host, media);
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Check, never install: installing belongs to `npm run setup`, the demo and `reelflow dev`.
  await checkSystemTools();
  const client = await connectClient(config.temporal);
  await ensureSearchAttributes(client.connection, config.temporal.namespace);
  const providers = await createProviders(config, console.log);
  const worker = await createWorkers({ connection: await connectWorker(config.temporal), config, providers });
  console.log(
    `reelflow worker on ${config.temporal.address}, task queue "${config.temporal.taskQueue}", runs in ${config.runsDir} ` +
      `(host ${config.host.hostId}, ${config.host.mediaConcurrency} media activities at once); ` +
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
