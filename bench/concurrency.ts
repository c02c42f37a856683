/**
 * Concurrency on one host: N reels started at once (N = 1, 4, 8) against one worker process (a real
 * worker: shared queue, host queues, media queue limited to MEDIA_CONCURRENCY), no B-roll, so the
 * rows compare the render pipeline alone. For each N: wall time to the last reel next to the ideal
 * (N × one reel's CPU seconds ÷ cores, one reel's CPU taken from the N = 1 row), seconds to the
 * first reel and the median to each reel, activity timeouts in the runs' histories (heartbeat and
 * others), and the peak memory of the worker and its ffmpeg children together. Nothing asserts.
 *
 * Alone: `npx tsx bench/concurrency.ts` (BENCH_CONCURRENCY=1,4,8; BENCH_REEL_S=30; MEDIA_CONCURRENCY to try another limit). Prints a table.
 */
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startReel } from '../src/cli/runs';
import { runAlone } from './standalone';
import { sleep, spawnWorker, treeCpuSeconds, treeRssMb, untilPolling } from './workerProcesses';

export interface ConcurrencyRow {
  reels: number;
  completed: number;
  wallS: number;
  cpuS: number;
  /** N × one reel's CPU seconds ÷ cores: the wall time if every core were busy with nothing else. */
  idealWallS: number;
  wallPerIdeal: number;
  firstReelS: number;
  medianReelS: number;
  activityTimeouts: number;
  heartbeatTimeouts: number;
  peakRssMb: number;
}

export interface ConcurrencyMeasurement {
  cores: number;
  mediaConcurrency: number;
  reelSeconds: number;
  rows: ConcurrencyRow[];
}

const round = (n: number) => Math.round(n * 100) / 100;

async function timeoutsIn(client: Client, workflowId: string): Promise<{ all: number; heartbeat: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let all = 0;
  let heartbeat = 0;
  for (const event of history.events ?? []) {
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (!timedOut) continue;
    all += 1;
    if (timedOut.failure?.timeoutFailureInfo?.timeoutType === temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT)
      heartbeat += 1;
  }
  return { all, heartbeat };
}

export async function measureConcurrency(
  dir: string,
  address: string,
  client: Client,
  source: string,
  counts = [1, 4, 8],
  reelSeconds = 30,
): Promise<ConcurrencyMeasurement> {
  const taskQueue = `concurrency-${Date.now()}`;
  const cores = os.cpus().length;
  // The worker's default (src/config.ts) unless MEDIA_CONCURRENCY is set, to compare limits side by side.
  const mediaConcurrency = Number(process.env.MEDIA_CONCURRENCY) || Math.max(1, Math.floor(cores / 2));
  const worker = spawnWorker(address, taskQueue, {
    RUNS_DIR: path.join(dir, 'runs'),
    OUTPUT_DIR: path.join(dir, 'output'),
    MEDIA_CONCURRENCY: String(mediaConcurrency),
  });
  const rows: ConcurrencyRow[] = [];
  try {
    // The worker's start (bundling workflows) is not part of any row.
    await untilPolling(client, taskQueue, () => new Set([worker.pid!]), 1);
    let oneReelCpuS: number | undefined;
    for (const reels of counts) {
      const cpu0 = treeCpuSeconds(worker.pid!);
      const t0 = performance.now();
      let peakRssMb = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peakRssMb = Math.max(peakRssMb, treeRssMb(worker.pid!));
          await sleep(500);
        }
      })();
      const handles = await Promise.all(
        Array.from({ length: reels }, () => startReel(client, taskQueue, { source, durationS: reelSeconds })),
      );
      const done: number[] = [];
      const settled = await Promise.allSettled(
        handles.map((h) => h.result().then(() => done.push((performance.now() - t0) / 1000))),
      );
      const wallS = (performance.now() - t0) / 1000;
      sampling = false;
      await sampler;
      const cpuS = treeCpuSeconds(worker.pid!) - cpu0;
      oneReelCpuS ??= cpuS / reels;
      const idealWallS = (reels * oneReelCpuS) / cores;
      const timeouts = await Promise.all(handles.map((h) => timeoutsIn(client, h.workflowId)));
      done.sort((a, b) => a - b);
      rows.push({
        reels,
        completed: settled.filter((s) => s.status === 'fulfilled').length,
        wallS: round(wallS),
        cpuS: round(cpuS),
        idealWallS: round(idealWallS),
        wallPerIdeal: round(wallS / idealWallS),
        firstReelS: round(done[0] ?? NaN),
        medianReelS: round(done[Math.floor((done.length - 1) / 2)] ?? NaN),
        activityTimeouts: timeouts.reduce((s, t) => s + t.all, 0),
        heartbeatTimeouts: timeouts.reduce((s, t) => s + t.heartbeat, 0),
        peakRssMb,
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
  } finally {
    worker.kill('SIGTERM');
  }
  return { cores, mediaConcurrency, reelSeconds, rows };
}

export function concurrencyTable(m: ConcurrencyMeasurement): string {
  return [
    `| reels at once (one worker, ${m.cores} cores, MEDIA_CONCURRENCY ${m.mediaConcurrency}, ${m.reelSeconds} s reels, no B-roll) | completed | wall (s) | CPU (s) | ideal wall (s) | wall ÷ ideal | first reel (s) | median reel (s) | activity timeouts (heartbeat) | peak RSS (MB) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...m.rows.map(
      (r) =>
        `| ${r.reels} | ${r.completed} | ${r.wallS} | ${r.cpuS} | ${r.idealWallS} | ${r.wallPerIdeal}x | ${r.firstReelS} | ${r.medianReelS} | ${r.activityTimeouts} (${r.heartbeatTimeouts}) | ${r.peakRssMb} |`,
    ),
  ].join('\n');
}

if (require.main === module) {
  runAlone('concurrency', async ({ dir, source, address, client }) => {
    const counts = (process.env.BENCH_CONCURRENCY ?? '1,4,8').split(',').map(Number);
    const m = await measureConcurrency(dir, address, client, source, counts, Number(process.env.BENCH_REEL_S ?? 30));
    console.log(JSON.stringify(m, null, 2));
    console.log(concurrencyTable(m));
  });
}
