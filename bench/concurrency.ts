/**
 * Concurrency on one host: N reels started at once (N = 1, 4, 8) against one worker process (a real
 * worker: shared queue, host queues, media queue limited to MEDIA_CONCURRENCY), no B-roll, so the
 * rows compare the render pipeline alone. For each N: wall time to the last reel next to the ideal
 * (N × one reel's CPU seconds ÷ cores, one reel's CPU taken from the N = 1 row), seconds to the
 * first reel and the median to each reel, activity timeouts in the runs' histories (heartbeat and
 * others), and the peak memory of the worker and its ffmpeg children together. Nothing asserts.
 *
 * Alone: `npx tsx bench/concurrency.ts` (BENCH_CONCURRENCY=1,4,8; BENCH_REEL_S=30). Prints a table.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startReel } from '../src/cli/runs';
import { startLocalTemporal } from '../src/dev/localTemporal';
import { generateSamplePodcast } from '../src/dev/samplePodcast';
import { connectClient } from '../src/temporal/connection';

const ROOT = path.resolve(__dirname, '..');
const CLOCK_TICKS = 100;

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number) => Math.round(n * 100) / 100;

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds of the worker and every child it has reaped (its ffmpegs). */
function treeCpuSeconds(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0) / CLOCK_TICKS;
}

/** Resident memory of `pid` and all its descendants, MB. */
function treeRssMb(pid: number): number {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const f = statFields(Number(name));
    if (f) parents.set(Number(name), Number(f[1]));
  }
  const inTree = (p: number): boolean => {
    for (let at: number | undefined = p, hops = 0; at && hops < 20; at = parents.get(at), hops++)
      if (at === pid) return true;
    return false;
  };
  let kb = 0;
  for (const p of parents.keys()) {
    if (!inTree(p)) continue;
    try {
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += Number(rss?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(kb / 1024);
}

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
  const mediaConcurrency = Math.max(1, Math.floor(cores / 2)); // the worker's default (src/config.ts)
  const worker: ChildProcess = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      RUNS_DIR: path.join(dir, 'runs'),
      OUTPUT_DIR: path.join(dir, 'output'),
      VEO3_CLIP_COUNT: '0',
      MEDIA_CONCURRENCY: String(mediaConcurrency),
    },
    stdio: 'ignore',
  });
  const rows: ConcurrencyRow[] = [];
  try {
    // The worker's start (bundling workflows) is not part of any row: wait until it polls the media queue too.
    for (;;) {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((pollers ?? []).length > 0) break;
      await sleep(500);
    }
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
  (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-concurrency-'));
    const sample = await generateSamplePodcast({
      dir: path.join(dir, 'sample'),
      durationS: 60,
      width: 640,
      height: 360,
      speech: false,
    });
    const server = await startLocalTemporal({ log: () => {} });
    const client = await connectClient({ address: server.address, namespace: 'default' });
    try {
      const counts = (process.env.BENCH_CONCURRENCY ?? '1,4,8').split(',').map(Number);
      const m = await measureConcurrency(
        dir,
        server.address,
        client,
        sample.video,
        counts,
        Number(process.env.BENCH_REEL_S ?? 30),
      );
      console.log(JSON.stringify(m, null, 2));
      console.log(concurrencyTable(m));
    } finally {
      await client.connection.close();
      await server.stop();
    }
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
