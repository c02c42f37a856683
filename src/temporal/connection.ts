/**
 * Connections to Temporal. Address and namespace come from our config; TLS, API keys and gRPC
 * metadata from Temporal's own environment configuration (@temporalio/envconfig), so a Temporal
 * Cloud profile works unchanged.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type * as WorkerModule from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import type { AppConfig } from '../config';

type TemporalSettings = AppConfig['temporal'];

function envConnectionOptions() {
  try {
    return loadClientConnectConfig().connectionOptions;
  } catch {
    // No profile file and nothing set: plain localhost defaults.
    return {};
  }
}

function unreachable(address: string, err: unknown): Error {
  return new Error(
    `cannot reach Temporal at ${address}: ${err instanceof Error ? err.message : String(err)}\n` +
      'Start one with `npm run reelflow -- dev` (a dev server, a worker and the API), or set TEMPORAL_ADDRESS.',
  );
}

export async function connectClient(settings: Pick<TemporalSettings, 'address' | 'namespace'>): Promise<Client> {
  const { address, namespace } = settings;
  try {
    const connection = await Connection.connect({ ...envConnectionOptions(), address, connectTimeout: '5s' });
    return new Client({ connection, namespace });
  } catch (err) {
    throw unreachable(address, err);
  }
}

export async function connectWorker(settings: Pick<TemporalSettings, 'address'>): Promise<NativeConnection> {
  const { tls, apiKey, metadata } = envConnectionOptions() as {
    tls?: never;
    apiKey?: string;
    metadata?: Record<string, string>;
  };
  // Loaded here, not at the top: the CLI and the API import this file and never start a worker, and
  // @temporalio/worker (rxjs, the bundler) is ~0.9 CPU s of every CLI process's start. A plain
  // require, since tsx's CommonJS hook does not see a dynamic import() (as in src/client.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NativeConnection } = require('@temporalio/worker') as typeof WorkerModule;
  try {
    return await NativeConnection.connect({
      address: settings.address,
      ...(tls ? { tls } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(metadata ? { metadata } : {}),
    });
  } catch (err) {
    throw unreachable(settings.address, err);
  }
}
