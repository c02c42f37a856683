/**
 * Two hosts without a shared disk: two worker processes with their own runs folders on one task
 * queue, N reels (default 4) started at once. Once a run is rendering on a host (a media activity
 * running there; B when both are), that host is SIGKILLed and stays down, as a machine that is gone
 * would (either host may answer every claim, so the one killed is the one seen rendering). Its runs
 * find it gone through the liveness watch while their media calls wait (a hostAlive check every
 * BENCH_WATCH_S, default 15 s, not picked up within the light pickup timeout BENCH_PICKUP_S, default
 * 30 s, instead of the production 60 s / 5 min, so the bench ends; media work keeps its 2-hour pickup
 * timeout) or through the light pickup timeout, and run again on the other host; its own runs go on.
 *
 * Measured: runs completed, runs split (a run's artifacts across both folders, or missing from the
 * folder it finished in), runs moved and how long after the kill they finished, ffmpeg processes
 * of B left running, and the wall time of the batch. Nothing asserts.
 *
 * Alone: `npx tsx bench/twoHosts.ts` (BENCH_TWO_HOSTS_REELS=4, BENCH_PICKUP_S=30, BENCH_WATCH_S=15).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startReel } from '../src/cli/runs';
import type { Progress } from '../src/domain/progress';
import type { ReelResult } from '../src/domain/reel';
import { progressQuery } from '../src/workflows/definitions';
import { runAlone } from './standalone';
import { alive, ffmpegChildrenOf, pidOf, sleep, spawnWorker, untilPolling } from './workerProcesses';

/** A run's files that later stages read: all must be in the folder of the host it finished on. */
const ARTIFACTS = ['moment.json', 'layout.json'];
const MEDIA_ACTIVITIES = new Set(['renderSegments', 'assembleReel']);
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

export interface TwoHostsRun {
  workflowId: string;
  completed: boolean;
  /** The host whose folder holds the finished run ('a' or 'b'). */
  host?: string;
  moved: boolean;
  split: boolean;
  /** Seconds from the batch's start to this run's end. */
  doneS: number;
}

export interface TwoHostsMeasurement {
  reels: number;
  pickupTimeoutS: number;
  watchIntervalS: number;
  /** Seconds from the batch's start to B's kill; null when B never rendered before the batch ended. */
  killedAtS: number | null;
  /** The host killed ('b', or 'a' when every run went to a). */
  killed: string | null;
  completed: number;
  split: number;
  moved: number;
  /** Median seconds from the kill to a moved run's end. */
  movedDoneAfterKillS: number | null;
  orphanedFfmpeg: number;
  wallS: number;
  runs: TwoHostsRun[];
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function measureTwoHosts(
  dir: string,
  address: string,
  client: Client,
  source: string,
  reels = 4,
  pickupTimeoutS = 30,
  watchIntervalS = 15,
): Promise<TwoHostsMeasurement> {
  const taskQueue = `two-hosts-${Date.now()}`;
  const folder = (host: string) => path.join(dir, host);
  const start = (host: string): ChildProcess =>
    spawnWorker(address, taskQueue, {
      RUNS_DIR: path.join(folder(host), 'runs'),
      OUTPUT_DIR: path.join(folder(host), 'output'),
      HOST_PICKUP_TIMEOUT_S: String(pickupTimeoutS),
      HOST_WATCH_INTERVAL_S: String(watchIntervalS),
    });
  const a = start('a');
  const b = start('b');
  const live = () => new Set([a, b].filter((w) => w.exitCode === null && w.signalCode === null).map((w) => w.pid!));
  try {
    await untilPolling(client, taskQueue, live, 2);
    const t0 = performance.now();
    const handles = await Promise.all(
      Array.from({ length: reels }, () => startReel(client, taskQueue, { source, durationS: 30 })),
    );
    const done = new Map<string, number>();
    const results = handles.map((h) =>
      h.result().then(
        (r) => {
          done.set(h.workflowId, (performance.now() - t0) / 1000);
          return r as ReelResult;
        },
        () => {
          done.set(h.workflowId, (performance.now() - t0) / 1000);
          return undefined;
        },
      ),
    );
    // Kill the first host seen rendering a run, B when both are (describe() shows which worker runs each activity).
    let killedAtS: number | null = null;
    let killed: string | null = null;
    let ffmpegs: number[] = [];
    const hosts: [string, ChildProcess][] = [
      ['b', b],
      ['a', a],
    ];
    while (killedAtS === null && done.size < reels) {
      const renderingOn = new Map<number, string>();
      for (const h of handles) {
        const { raw } = await h.describe();
        for (const p of raw.pendingActivities ?? []) {
          if (MEDIA_ACTIVITIES.has(p.activityType?.name ?? '') && Number(p.state) === STARTED) {
            renderingOn.set(pidOf(p.lastWorkerIdentity), h.workflowId);
          }
        }
      }
      const victim = hosts.find(([, w]) => renderingOn.has(w.pid!));
      if (victim) {
        const [name, worker] = victim;
        ffmpegs = ffmpegChildrenOf(worker.pid!);
        worker.kill('SIGKILL');
        killedAtS = (performance.now() - t0) / 1000;
        killed = name;
        console.log(`  host ${name} killed ${round(killedAtS)} s in, while rendering ${renderingOn.get(worker.pid!)}`);
        break;
      }
      await sleep(200);
    }
    const finished = await Promise.all(results);
    const wallS = (performance.now() - t0) / 1000;
    await sleep(500);
    const runs: TwoHostsRun[] = [];
    for (const [i, h] of handles.entries()) {
      const result = finished[i];
      const progress = (await h.query(progressQuery)) as Progress;
      const moved = (progress.hostChanges ?? []).length > 0;
      const host = result ? ['a', 'b'].find((x) => result.workspace.startsWith(folder(x))) : undefined;
      const other = host === 'a' ? 'b' : 'a';
      // Split: what the run wrote is not all in the folder it finished in, or (for a run that never
      // moved) some of it is in the other host's folder.
      const split =
        result !== undefined &&
        (!ARTIFACTS.every((f) => existsSync(path.join(result.workspace, f))) ||
          !existsSync(result.reelPath) ||
          (!moved && existsSync(path.join(folder(other), 'runs', h.workflowId))));
      runs.push({
        workflowId: h.workflowId,
        completed: result !== undefined,
        host,
        moved,
        split,
        doneS: round(done.get(h.workflowId)!),
      });
    }
    const movedAfterKill = runs
      .filter((r) => r.moved && killedAtS !== null)
      .map((r) => r.doneS - killedAtS!)
      .sort((x, y) => x - y);
    return {
      reels,
      pickupTimeoutS,
      watchIntervalS,
      killedAtS: killedAtS === null ? null : round(killedAtS),
      killed,
      completed: runs.filter((r) => r.completed).length,
      split: runs.filter((r) => r.split).length,
      moved: runs.filter((r) => r.moved).length,
      movedDoneAfterKillS:
        movedAfterKill.length > 0 ? round(movedAfterKill[Math.floor((movedAfterKill.length - 1) / 2)]!) : null,
      orphanedFfmpeg: ffmpegs.filter(alive).length,
      wallS: round(wallS),
      runs,
    };
  } finally {
    for (const w of [a, b]) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
  }
}

export function twoHostsTable(m: TwoHostsMeasurement): string {
  return [
    `| two hosts, one queue, ${m.reels} reels at once; one host SIGKILLed mid-render and left down (light pickup timeout ${m.pickupTimeoutS} s, liveness check every ${m.watchIntervalS} s) | completed | split | moved | moved runs done after the kill (median s) | killed host's ffmpeg left running | wall (s) |`,
    '|---|---|---|---|---|---|---|',
    `| ${m.killed ? `${m.killed} killed ${m.killedAtS} s in` : 'none killed (nothing rendered)'} | ${m.completed}/${m.reels} | ${m.split} | ${m.moved} | ${m.movedDoneAfterKillS ?? '—'} | ${m.orphanedFfmpeg} | ${m.wallS} |`,
  ].join('\n');
}

if (require.main === module) {
  runAlone('two-hosts', async ({ dir, source, address, client }) => {
    const m = await measureTwoHosts(
      dir,
      address,
      client,
      source,
      Number(process.env.BENCH_TWO_HOSTS_REELS ?? 4),
      Number(process.env.BENCH_PICKUP_S ?? 30),
      Number(process.env.BENCH_WATCH_S ?? 15),
    );
    console.log(JSON.stringify(m, null, 2));
    console.log(twoHostsTable(m));
  });
}
