/**
 * Running one bench section alone (`npx tsx bench/<section>.ts`): a temporary folder, the bench's
 * 60 s 640x360 sample, a local Temporal dev server and a client, all gone when the section ends.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startLocalTemporal } from '../src/dev/localTemporal';
import { generateSamplePodcast } from '../src/dev/samplePodcast';
import { connectClient } from '../src/temporal/connection';

export interface BenchSetting {
  dir: string;
  /** The sample podcast's video. */
  source: string;
  address: string;
  client: Client;
}

/** The sample the run benches render from: small, so the numbers are the pipeline's, not the decode's. */
export async function benchSample(dir: string): Promise<string> {
  const sample = await generateSamplePodcast({ dir, durationS: 60, width: 640, height: 360, speech: false });
  return sample.video;
}

export function runAlone(name: string, section: (setting: BenchSetting) => Promise<void>): void {
  (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `reelflow-bench-${name}-`));
    const source = await benchSample(path.join(dir, 'sample'));
    const server = await startLocalTemporal({ log: () => {} });
    const client = await connectClient({ address: server.address, namespace: 'default' });
    try {
      await section({ dir, source, address: server.address, client });
    } finally {
      await client.connection.close();
      await server.stop();
    }
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
