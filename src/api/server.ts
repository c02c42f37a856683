/** `npm run api`: the HTTP API and the studio page on API_HOST:API_PORT (127.0.0.1:8787 by default). Wiring only. */
import { loadConfig } from '../config';
import { ensureStudioBuilt } from '../studio/build';
import { connectClient } from '../temporal/connection';
import { buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  await ensureStudioBuilt();
  const client = await connectClient(config.temporal);
  const app = buildApp({ client, config });
  const address = await app.listen({ host: config.api.host, port: config.api.port });
  console.log(
    `reelflow API on ${address} (OpenAPI: ${address}/api/openapi.json)${config.api.token ? '; bearer token required' : ''}`,
  );
  console.log(`Studio: ${address}/`);
  const stop = async () => {
    await app.close();
    await client.connection.close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`api failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
