/**
 * Worker processes for the benches that kill, count or weigh workers (recovery, concurrency, two
 * hosts): `src/worker.ts` started as a child with the bench's settings, who polls, and what a
 * process and its children use. Only Linux's /proc is read.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const ROOT = path.resolve(__dirname, '..');
const CLOCK_TICKS = 100;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A worker process on the bench's server and queue; `env` adds its folders and limits. */
export function spawnWorker(address: string, taskQueue: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--require', 'tsx/cjs', 'src/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue, VEO3_CLIP_COUNT: '0', ...env },
    stdio: 'ignore',
  });
}

/** Worker identities start with the process id (the SDK's `pid@host`, src/temporal/projectFolders.ts). */
export const pidOf = (identity: string | null | undefined) => Number(identity?.split('@')[0]);

/**
 * Waits until `count` of the processes in `pids` poll the queue's workflow tasks. The server
 * remembers a killed worker's poller for minutes, so only processes still running count.
 */
export async function untilPolling(client: Client, taskQueue: string, pids: () => Set<number>, count: number) {
  for (;;) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const live = pids();
    if (new Set((pollers ?? []).map((p) => pidOf(p.identity)).filter((pid) => live.has(pid))).size >= count) return;
    await sleep(200);
  }
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const processIds = () =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);

/** ffmpeg processes whose parent is `pid`. */
export function ffmpegChildrenOf(pid: number): number[] {
  return processIds().filter((p) => {
    try {
      return Number(statFields(p)?.[1]) === pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('ffmpeg');
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** Whether `pid` runs (a zombie does not). */
export const alive = (pid: number) => {
  const f = statFields(pid);
  return f !== undefined && f[0] !== 'Z';
};

/** CPU seconds of `pid` and its reaped children (user + system). */
export function treeCpuSeconds(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0) / CLOCK_TICKS;
}

/** Resident memory of `pid` and all its descendants, MB. */
export function treeRssMb(pid: number): number {
  const parents = new Map<number, number>();
  for (const p of processIds()) {
    const f = statFields(p);
    if (f) parents.set(p, Number(f[1]));
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
