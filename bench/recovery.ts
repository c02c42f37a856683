/**
 * Recovery after a crash: in one reel run, each stage's activity is caught running, the worker
 * process that runs it is SIGKILLed (a standby worker on the same runs folder, so the same host
 * queues, is already up), and the bench measures the seconds from the kill to that work running
 * again on the standby (target ≤ 15 s: a 12 s heartbeat timeout plus a 1 s first retry). After each
 * kill a new standby starts, so two workers are up again before the next stage.
 *
 * Also checked after every kill: no ffmpeg process of the killed worker is left (crash hygiene).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startReel } from '../src/cli/runs';
import type { Progress } from '../src/domain/progress';
import { progressQuery } from '../src/workflows/definitions';

const ROOT = path.resolve(__dirname, '..');
/** Stages with an activity to kill (VEO3_AWAIT is a workflow timer: nothing runs on a worker there). */
const STAGES = [
  'ROUTER',
  'RESEARCH',
  'TRANSCRIPT',
  'CONTENT',
  'LAYOUT_DETECTIVE',
  'FFMPEG_ENGINEER',
  'ASSEMBLY',
  'DELIVERY',
];

export interface RecoveryMeasurement {
  stage: string;
  /** Seconds from the SIGKILL to the activity running on another worker; null: the stage ended before a kill. */
  recoveryS: number | null;
  activity?: string;
  /** ffmpeg processes of the killed worker still alive after it died (should be 0). */
  orphanedFfmpeg: number;
}

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ffmpegChildrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').startsWith('ffmpeg')) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

export async function measureRecovery(
  dir: string,
  address: string,
  client: Client,
  source: string,
): Promise<RecoveryMeasurement[]> {
  const taskQueue = `recovery-${Date.now()}`;
  const workers = new Map<number, ChildProcess>();
  const startWorker = () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/worker.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        RUNS_DIR: path.join(dir, 'runs'),
        OUTPUT_DIR: path.join(dir, 'output'),
        VEO3_CLIP_COUNT: '0',
      },
      stdio: 'ignore',
    });
    workers.set(child.pid!, child);
    return child;
  };
  const ready = async () => {
    // Both live workers poll before going on (the server remembers a killed worker's poller for
    // minutes, so count only pollers of processes still running): no kill waits for a worker to boot.
    for (;;) {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const live = new Set(
        (pollers ?? []).map((p) => Number(p.identity?.split('@')[0])).filter((pid) => workers.has(pid)),
      );
      if (live.size >= 2) return;
      await sleep(200);
    }
  };
  startWorker();
  startWorker();
  await ready();
  const handle = await startReel(client, taskQueue, { source, durationS: 30 });
  // A query can fail while the run's worker is being replaced: ask again.
  const progressOf = async (): Promise<Progress> => {
    for (;;) {
      const progress = (await handle.query(progressQuery).catch(() => undefined)) as Progress | undefined;
      if (progress) return progress;
      await sleep(200);
    }
  };
  const results: RecoveryMeasurement[] = [];
  try {
    for (const stage of STAGES) {
      // Catch the stage's activity running on a worker.
      let victim: { pid: number; activity: string; activityId: string } | undefined;
      for (;;) {
        const progress = await progressOf();
        const stageIndex = STAGES.indexOf(progress.stage);
        if (progress.status !== 'RUNNING' || stageIndex > STAGES.indexOf(stage)) break;
        if (progress.stage === stage) {
          const { raw } = await handle.describe();
          const running = (raw.pendingActivities ?? []).find(
            (a) => a.lastWorkerIdentity && Number(a.state) === STARTED,
          );
          const pid = Number(running?.lastWorkerIdentity?.split('@')[0]);
          if (running && workers.has(pid)) {
            victim = { pid, activity: running.activityType?.name ?? '?', activityId: running.activityId ?? '' };
            break;
          }
        }
        await sleep(100);
      }
      if (!victim) {
        results.push({ stage, recoveryS: null, orphanedFfmpeg: 0 });
        continue;
      }
      const ffmpegs = ffmpegChildrenOf(victim.pid);
      const killedAt = Date.now();
      workers.get(victim.pid)!.kill('SIGKILL');
      workers.delete(victim.pid);
      let recoveryS: number | null = null;
      for (;;) {
        const { raw } = await handle.describe();
        const again = (raw.pendingActivities ?? []).find(
          (a) =>
            a.activityId === victim.activityId &&
            Number(a.state) === STARTED &&
            Number(a.lastWorkerIdentity?.split('@')[0]) !== victim.pid,
        );
        if (again) {
          recoveryS = (Date.now() - killedAt) / 1000;
          break;
        }
        // Done by the time we looked: the activity's end is in history.
        const progress = await progressOf();
        if (progress.stage !== stage || progress.status !== 'RUNNING') {
          recoveryS = (Date.now() - killedAt) / 1000;
          break;
        }
        await sleep(100);
      }
      await sleep(500);
      results.push({ stage, recoveryS, activity: victim.activity, orphanedFfmpeg: ffmpegs.filter(alive).length });
      console.log(`  ${stage}: ${victim.activity} resumed ${recoveryS} s after SIGKILL`);
      startWorker();
      await ready();
    }
    await handle.result();
  } finally {
    for (const child of workers.values()) child.kill('SIGKILL');
  }
  return results;
}
