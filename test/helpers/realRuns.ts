/**
 * What a file of whole real runs sets up: a client of the shared Temporal server, a temporary
 * folder, a small generated podcast, offline settings on a queue of its own, the local Veo server,
 * and (on request) one in-process worker with the real activities for the whole file.
 */
import path from 'node:path';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import type { AppConfig } from '../../src/config';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { createWorker } from '../../src/worker';
import { testConfig } from './config';
import { smallPodcast, tempDir } from './media';
import { providersFor, startOfflineVeo } from './offlineVeo';
import type { TestTemporal } from './temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from './temporal';

export interface RealRuns {
  temporal: TestTemporal;
  bundle: WorkflowBundle;
  dir: string;
  sample: SamplePodcast;
  config: AppConfig;
  veo: LocalVeoServer;
  /** A worker with the real activities and the local Veo server, on `config`'s queue. */
  newWorker(config?: AppConfig): Promise<Worker>;
  /** Stops the file's worker (if any), the Veo server and the connections. */
  stop(): Promise<void>;
}

export interface RealRunsOptions {
  /** Names the folder and the task queue. */
  name: string;
  /** Length of the sample podcast (s). */
  sampleS: number;
  /** Settings on top of testConfig's. */
  env?: Record<string, string>;
  /** Start one worker now that runs until stop(). */
  worker?: boolean;
}

export async function startRealRuns(options: RealRunsOptions): Promise<RealRuns> {
  const temporal = await connectTestTemporal();
  const dir = await tempDir(options.name);
  const [bundle, sample, veo] = await Promise.all([
    bundleWorkflows(),
    smallPodcast(path.join(dir, 'sample'), options.sampleS),
    startOfflineVeo(dir),
  ]);
  const config = testConfig(dir, { TEMPORAL_TASK_QUEUE: uniqueName(options.name), ...options.env });
  const newWorker = (settings: AppConfig = config) =>
    createWorker({
      connection: temporal.nativeConnection,
      config: settings,
      providers: providersFor(veo, settings),
      workflowBundle: bundle,
    });
  let running: { worker: Worker; done: Promise<void> } | undefined;
  if (options.worker) {
    const worker = await newWorker();
    running = { worker, done: worker.run() };
  }
  return {
    temporal,
    bundle,
    dir,
    sample,
    config,
    veo,
    newWorker,
    async stop() {
      if (running) {
        running.worker.shutdown();
        await running.done;
      }
      await veo.stop();
      await temporal.close();
    },
  };
}
