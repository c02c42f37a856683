/**
 * The local setup the demo (and `reelflow dev`) run on: a reachable Temporal, or a dev server we
 * start with its Web UI and its data in a file under the runs directory, so finished runs can be
 * inspected afterwards.
 */
import type { Client } from '@temporalio/client';
import path from 'node:path';
import type { AppConfig } from '../config';
import { connectClient } from '../temporal/connection';
import { assertQueueIsOurs } from '../temporal/projectFolders';
import { ensureSearchAttributes } from '../temporal/searchAttributes';
import type { LocalTemporal } from './localTemporal';
import { startLocalTemporal } from './localTemporal';

export const DEV_UI_PORT = 8233;

/** Where the demo's dev server keeps its data. */
export function devDatabaseFile(config: AppConfig): string {
  return path.join(config.runsDir, '.temporal', 'dev.db');
}

export interface DevTemporal {
  client: Client;
  address: string;
  /** Set when we started the server (and so must stop it). */
  server?: LocalTemporal;
}

export async function reuseOrStartTemporal(config: AppConfig, log: (line: string) => void): Promise<DevTemporal> {
  let reused: DevTemporal | undefined;
  try {
    const client = await connectClient(config.temporal);
    await ensureSearchAttributes(client.connection, config.temporal.namespace);
    log(`Using the Temporal server already running at ${config.temporal.address}`);
    reused = { client, address: config.temporal.address };
  } catch {
    // Nothing there: start our own below.
  }
  if (reused) {
    // A dev server started from another folder may have that folder's workers on our queue.
    await assertQueueIsOurs(reused.client, config.temporal, config.runsDir).catch(async (err: unknown) => {
      await reused?.client.connection.close();
      throw err;
    });
    return reused;
  }
  const port = Number(config.temporal.address.split(':').pop());
  const server = await startLocalTemporal({ dbFilename: devDatabaseFile(config), port, uiPort: DEV_UI_PORT, log });
  log(
    `Started a Temporal dev server at ${server.address} (data: ${path.relative(process.cwd(), devDatabaseFile(config))})`,
  );
  log(`Temporal Web UI: ${server.uiUrl}`);
  const client = await connectClient({ address: server.address, namespace: config.temporal.namespace });
  return { client, address: server.address, server };
}
