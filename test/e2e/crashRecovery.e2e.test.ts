/**
 * Crash recovery comes from history: a worker process is killed with SIGKILL while the B-roll gate
 * waits; a new worker process finishes the run with every clip, and the provider (the local Veo
 * server, outliving both workers) never sees an extra submission. That second worker is killed in
 * turn during ASSEMBLY, once the first chunk of the encode is finished: a third worker's retry
 * keeps that chunk and encodes only the rest.
 *
 * The reel is 1:1 (about half of 9:16's pixels to encode) with 2 B-roll clips: what is checked (no
 * extra submission, every clip placed, chunks reused) does not depend on the frame or on a third clip.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReel } from '../../src/cli/runs';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { ReelResult } from '../../src/domain/reel';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { smallPodcast, tempDir } from '../helpers/media';
import { startOfflineVeo } from '../helpers/offlineVeo';
import type { TestTemporal } from '../helpers/temporal';
import { connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, progressOf } from '../helpers/workflows';
import type { WorkerProcess } from '../helpers/workerProcess';
import { startWorkerProcess } from '../helpers/workerProcess';

let temporal: TestTemporal;
let dir: string;
let sample: SamplePodcast;
let veo: LocalVeoServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('crash');
  sample = await smallPodcast(path.join(dir, 'sample'), 60);
  veo = await startOfflineVeo(dir);
});
afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await veo?.stop();
  await temporal?.close();
});

function startWorker(taskQueue: string): WorkerProcess {
  // 10 s chunks: the reel of 30 s or more is encoded in 3 or more (src/media/chunks.ts).
  const worker = startWorkerProcess({
    temporalAddress: temporal.address,
    taskQueue,
    dir,
    veoUrl: veo.url,
    env: { RENDER_CHUNK_S: '10', VEO3_CLIP_COUNT: '2' },
  });
  workers.push(worker);
  return worker;
}

describe('crash recovery', () => {
  it('finishes with every clip after the worker is SIGKILLed at the gate, with no extra submission, and resumes a killed render at its chunks', async () => {
    const taskQueue = uniqueName('crash');
    // No clip is ready until the test says so: the gate is surely still waiting when the worker dies.
    veo.holdGeneration();
    const first = startWorker(taskQueue);
    const handle = await startReel(temporal.client, taskQueue, { source: sample.video, durationS: 30, aspect: '1:1' });

    const atGate = await eventually(
      () => progressOf(handle),
      (p) => p.stage === 'VEO3_AWAIT',
      600_000,
    );
    expect(atGate.stage, first.output()).toBe('VEO3_AWAIT');
    expect(atGate.broll?.done ?? 0).toBe(0);
    expect(veo.stats.submissions).toBe(2);

    expect(await first.kill()).toBe('SIGKILL');

    const second = startWorker(taskQueue);
    veo.releaseGeneration();
    // The second worker dies during ASSEMBLY as soon as the encode's first chunk is complete
    // (renamed into place); its ffmpeg dies with it.
    const chunksDir = path.join(dir, 'runs', handle.workflowId, 'chunks');
    const firstChunk = await eventually(
      async () => (await readdir(chunksDir)).filter((name) => /^chunk-000-\w+\.mp4$/.test(name)),
      (names) => names.length > 0,
      600_000,
    );
    expect(firstChunk, second.output()).toHaveLength(1);
    expect(await second.kill()).toBe('SIGKILL');

    const third = startWorker(taskQueue);
    const result = (await handle.result()) as ReelResult;
    expect(result.broll, third.output()).toEqual({ requested: 2, generated: 2, placed: 2 });
    // The retry kept the chunk(s) finished before the kill and encoded only the rest.
    const render = JSON.parse(await readFile(path.join(result.workspace, 'render.json'), 'utf8')) as {
      attempt: number;
      chunks: { chunks: number; encoded: number; reused: number };
    };
    expect(render.attempt).toBeGreaterThanOrEqual(2);
    expect(render.chunks.chunks).toBeGreaterThanOrEqual(3);
    expect(render.chunks.reused).toBeGreaterThanOrEqual(1);
    expect(render.chunks.encoded + render.chunks.reused).toBe(render.chunks.chunks);
    const jobs = JSON.parse(await readFile(path.join(result.workspace, 'veo3', 'jobs.json'), 'utf8')).jobs as {
      status: string;
      attempts: number;
    }[];
    expect(jobs.map((job) => [job.status, job.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
    ]);
    // Not one more submission reached the provider, not even one it had to deduplicate.
    expect(veo.stats.submissions).toBe(2);
    expect(veo.stats.deduplicated).toBe(0);
    third.child.kill('SIGTERM');
  }, 900_000); // generous: on a busy machine the whole run may take minutes; nothing here races the clock
});
