/**
 * The HTTP API with the studio page, started inside `reelflow dev` and the demo: builds the page if
 * needed, listens on API_HOST:API_PORT and says where the studio is.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import type { AppConfig } from '../config';
import { ensureStudioBuilt } from '../studio/build';

export interface RunningApi {
  address: string;
  studioUrl: string;
  app: FastifyInstance;
}

export async function startApi(client: Client, config: AppConfig): Promise<RunningApi> {
  await ensureStudioBuilt();
  const app = buildApp({ client, config });
  const address = await app.listen({ host: config.api.host, port: config.api.port });
  return { address, studioUrl: `${address}/`, app };
}
