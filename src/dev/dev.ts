/**
 * `reelflow dev`: everything for local work in one process — a Temporal dev server (or the one
 * already running), a worker with the offline video server inside it, and the HTTP API — until
 * Ctrl-C stops all.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createProviders } from '../providers';
import { connectWorker } from '../temporal/connection';
import { createWorker } from '../worker';
import { startApi } from './apiServer';
import { reuseOrStartTemporal } from './demoEnvironment';
import { ensureSystemTools } from './systemTools';

export async function runDev(log: (line: string) => void = console.log): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  await ensureSystemTools(log);
  const temporal = await reuseOrStartTemporal(config, log);
  const providers = await createProviders(config, log);
  const worker = await createWorker({
    connection: await connectWorker({ address: temporal.address }),
    config,
    providers,
  });
  log(
    `Worker on task queue "${config.temporal.taskQueue}"; providers: text ${providers.text.name}, images ${providers.image.name}, video ${providers.video.name}`,
  );
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
    await api.app.close();
    await providers.close();
    await temporal.client.connection.close();
    await temporal.server?.stop();
    log('Stopped.');
  }
}
