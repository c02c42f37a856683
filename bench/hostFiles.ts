/**
 * Files from another host (src/api/hostFiles.ts): a worker process with a runs folder of its own
 * holds a reel-sized file; the API's way of reading it (one short `readHostFile` workflow per
 * 256 KiB range, on the local Temporal dev server) streams it whole, with one read in flight at a
 * time (as before) and with HOST_FILE_READS_AHEAD, alternated in one run.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { HOST_FILE_READS_AHEAD, hostFileChunks } from '../src/api/hostFiles';
import type { HostFileChunk } from '../src/domain/hostFiles';
import { hostQueuesOf } from '../src/domain/hosts';
import { runAlone } from './standalone';
import { spawnWorker, untilPolling } from './workerProcesses';

export interface HostFilesMeasurement {
  fileMb: number;
  rounds: number;
  /** MB/s of each round, by reads in flight. */
  mbPerS: Record<string, number[]>;
  speedup: number;
}

const FILE_MB = Number(process.env.BENCH_HOST_FILE_MB ?? 4);
const ROUNDS = 3;

export async function measureHostFiles(dir: string, address: string, client: Client): Promise<HostFilesMeasurement> {
  const taskQueue = `bench-host-files-${Date.now()}`;
  const hostId = 'bench-b';
  const runId = 'reel-bench-host-files';
  const folder = path.join(dir, 'host-b');
  await mkdir(path.join(folder, 'output', runId), { recursive: true });
  const size = Math.round(FILE_MB * 1024 * 1024);
  await writeFile(path.join(folder, 'output', runId, 'reel.mp4'), randomBytes(size));
  const worker = spawnWorker(address, taskQueue, {
    RUNS_DIR: path.join(folder, 'runs'),
    OUTPUT_DIR: path.join(folder, 'output'),
    REELFLOW_HOST_ID: hostId,
  });
  try {
    await untilPolling(client, taskQueue, () => new Set([worker.pid!]), 1);
    const { hostQueue } = hostQueuesOf(taskQueue, hostId);
    // As HostFiles.ask does for the API: a short workflow on the shared queue, its read on the host's.
    const read = (start: number, length: number) =>
      client.workflow.execute('readHostFile', {
        taskQueue,
        workflowId: `bench-read-${start}-${length}-${performance.now()}`,
        args: [{ hostQueue, request: { runId, name: 'reel.mp4', start, length } }],
        workflowExecutionTimeout: '2 minutes',
      }) as Promise<HostFileChunk | null>;
    const stream = async (ahead: number) => {
      const started = performance.now();
      let bytes = 0;
      for await (const chunk of hostFileChunks(read, { start: 0, end: size - 1 }, ahead)) bytes += chunk.length;
      if (bytes !== size) throw new Error(`read ${bytes} of ${size} bytes`);
      return Math.round((size / 1e6 / ((performance.now() - started) / 1000)) * 100) / 100;
    };
    await stream(1); // warm-up: the worker's first workflow tasks and activity start
    const mbPerS: Record<string, number[]> = { '1': [], [String(HOST_FILE_READS_AHEAD)]: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const ahead of [1, HOST_FILE_READS_AHEAD]) mbPerS[String(ahead)]!.push(await stream(ahead));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const speedup = Math.round((median(mbPerS[String(HOST_FILE_READS_AHEAD)]!) / median(mbPerS['1']!)) * 100) / 100;
    return { fileMb: FILE_MB, rounds: ROUNDS, mbPerS, speedup };
  } finally {
    worker.kill('SIGTERM');
  }
}

export function hostFilesTable(m: HostFilesMeasurement): string {
  return [
    `| a ${m.fileMb} MB file from another host through the API's reads (${m.rounds} rounds, alternated) | MB/s per round |`,
    '|---|---|',
    ...Object.entries(m.mbPerS).map(([ahead, rates]) => `| ${ahead} read(s) in flight | ${rates.join(', ')} |`),
    `| median speed-up | ${m.speedup}x |`,
  ].join('\n');
}

if (require.main === module) {
  runAlone('host-files', async ({ dir, address, client }) => {
    const m = await measureHostFiles(dir, address, client);
    console.log(JSON.stringify(m, null, 2));
    console.log(hostFilesTable(m));
  });
}
