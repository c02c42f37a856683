/**
 * `reelflow dev`: everything for local work in one process — a Temporal dev server (or the one
 * already running), a worker with the offline video server inside it, and the HTTP API — until
 * Ctrl-C stops all.
 */
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createProviders } from '../providers';
import { connectWorker } from '../temporal/connection';
import { createWorkers } from '../worker';
import { startApi } from './apiServer';
import { reuseOrStartTemporal } from './demoEnvironment';
import type { SpeechWorkerProcess } from './speechEnv';
import { ensureSpeechEnv, startSpeechWorker } from './speechEnv';
import { ensureSystemTools } from './systemTools';
import { consoleLogger } from './consoleLogger';

export async function runDev(log: (line: string) => void = console.log): Promise<void> {
  Runtime.install({ logger: consoleLogger() });
  const config = loadConfig();
  await ensureSystemTools(log);
  const temporal = await reuseOrStartTemporal(config, log);
  const providers = await createProviders(config, log);
  const worker = await createWorkers({
    connection: await connectWorker({ address: temporal.address }),
    config,
    providers,
  });
  log(
    `Worker on task queue "${config.temporal.taskQueue}"; providers: text ${providers.text.name}, images ${providers.image.name}, video ${providers.video.name}`,
  );
  const speech = await startSpeech(config, temporal.address, log);
  const api = await startApi(temporal.client, config);
  log(`HTTP API on ${api.address} (OpenAPI: ${api.address}/api/openapi.json)`);
  log(`Studio: ${api.studioUrl}`);
  log(
    'Ready. Start runs in the studio, or with `reelflow reel …` / `reelflow generate …` in another terminal; Ctrl-C stops everything.',
  );
  try {
    // The worker stops on SIGINT/SIGTERM by itself; then the rest is closed in order.
    await worker.run();
  } finally {
    await speech?.stop();
    await api.app.close();
    await providers.close();
    await temporal.client.connection.close();
    await temporal.server?.stop();
    log('Stopped.');
  }
}

/** The Python speech worker beside the TypeScript one; without it, only sources without subtitles fail (saying what to run). */
async function startSpeech(
  config: ReturnType<typeof loadConfig>,
  address: string,
  log: (line: string) => void,
): Promise<SpeechWorkerProcess | undefined> {
  try {
    await ensureSpeechEnv(log);
    const worker = await startSpeechWorker({
      address,
      namespace: config.temporal.namespace,
      taskQueue: config.speech.taskQueue,
      log,
    });
    log(`Speech worker on task queue "${config.speech.taskQueue}"`);
    return worker;
  } catch (err) {
    log(
      `Speech worker not started (${err instanceof Error ? err.message : String(err)}); sources without subtitles will fail at RESEARCH`,
    );
    return undefined;
  }
}
