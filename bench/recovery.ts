/**
 * Recovery after a crash: in one reel run, each stage's activity is caught running, the worker
 * process that runs it is SIGKILLed (a standby worker on the same runs folder, so the same host
 * queues, is already up), and the bench measures the seconds from the kill to that work running
 * again on the standby (target ≤ 15 s: a 12 s heartbeat timeout plus a 1 s first retry). Three
 * workers are up, and a replacement starts at each kill, so a stage that starts at once after the
 * previous kill still has a standby. Stages are watched with describe() alone, so even stages of a
 * second are caught; a stage that still ends between two looks is reported as such.
 *
 * Also checked after every kill: no ffmpeg process of the killed worker is left (crash hygiene).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startReel } from '../src/cli/runs';
import { runAlone } from './standalone';
import { alive, ffmpegChildrenOf, pidOf, sleep, spawnWorker, untilPolling } from './workerProcesses';

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
  /** The attempt that ran on another worker (2 when the first retry took over) and why the one before ended. */
  resumedAttempt?: number;
  lastFailure?: string;
}

/** The activity that does each stage's work (src/workflows/reel.ts). */
const ACTIVITY_OF: Record<string, string> = {
  ROUTER: 'router',
  RESEARCH: 'research',
  TRANSCRIPT: 'pickMoment',
  CONTENT: 'writePublishingAssets',
  LAYOUT_DETECTIVE: 'detectLayout',
  FFMPEG_ENGINEER: 'renderSegments',
  ASSEMBLY: 'assembleReel',
  DELIVERY: 'deliver',
};
const STAGE_OF = new Map(Object.entries(ACTIVITY_OF).map(([stage, activity]) => [activity, stage]));
/** Whether `activity` belongs to a stage after `stage`. */
const laterThan = (stage: string, activity: string | null | undefined) =>
  STAGES.indexOf(STAGE_OF.get(activity ?? '') ?? '') > STAGES.indexOf(stage);

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
/** Workers up at once on the run's folder (one runs the stage, the others stand by). */
const WORKERS = 3;

export async function measureRecovery(
  dir: string,
  address: string,
  client: Client,
  source: string,
): Promise<RecoveryMeasurement[]> {
  const taskQueue = `recovery-${Date.now()}`;
  const workers = new Map<number, ChildProcess>();
  const startWorker = () => {
    const child = spawnWorker(address, taskQueue, {
      RUNS_DIR: path.join(dir, 'runs'),
      OUTPUT_DIR: path.join(dir, 'output'),
    });
    workers.set(child.pid!, child);
  };
  // Three workers: after a kill two are still up while the replacement boots, so the next stage,
  // which may start at once, has a standby too.
  for (let i = 0; i < WORKERS; i++) startWorker();
  await untilPolling(client, taskQueue, () => new Set(workers.keys()), WORKERS);
  const handle = await startReel(client, taskQueue, { source, durationS: 30 });
  const results: RecoveryMeasurement[] = [];
  try {
    for (const stage of STAGES) {
      // Catch the stage's activity running on a worker: describe() alone, as often as it answers, so
      // stages of a second or less are caught too (a progress query would wait for a workflow task).
      const activity = ACTIVITY_OF[stage]!;
      let victim: { pid: number; activity: string; activityId: string } | undefined;
      let seen = false;
      for (;;) {
        const { raw, status } = await handle.describe();
        if (status.name !== 'RUNNING') break;
        const pending = raw.pendingActivities ?? [];
        const mine = pending.filter((a) => a.activityType?.name === activity);
        const running = mine.find((a) => Number(a.state) === STARTED && workers.has(pidOf(a.lastWorkerIdentity)));
        if (running) {
          victim = { pid: pidOf(running.lastWorkerIdentity), activity, activityId: running.activityId ?? '' };
          break;
        }
        // Seen and gone, or a later stage's work pending: the stage ended between two looks.
        if (seen && mine.length === 0) break;
        if (pending.some((a) => laterThan(stage, a.activityType?.name))) break;
        seen ||= mine.length > 0;
      }
      if (!victim) {
        results.push({ stage, recoveryS: null, orphanedFfmpeg: 0 });
        continue;
      }
      const ffmpegs = ffmpegChildrenOf(victim.pid);
      const killedAt = Date.now();
      workers.get(victim.pid)!.kill('SIGKILL');
      workers.delete(victim.pid);
      // The replacement boots while the standbys take over.
      startWorker();
      let recoveryS: number | null = null;
      let resumed: { attempt?: number; lastFailure?: string } = {};
      for (;;) {
        const { raw } = await handle.describe();
        const again = (raw.pendingActivities ?? []).find(
          (a) =>
            a.activityId === victim.activityId &&
            Number(a.state) === STARTED &&
            pidOf(a.lastWorkerIdentity) !== victim.pid,
        );
        if (again) {
          recoveryS = (Date.now() - killedAt) / 1000;
          resumed = {
            attempt: again.attempt ?? undefined,
            ...(again.lastFailure?.message ? { lastFailure: again.lastFailure.message } : {}),
          };
          break;
        }
        // Done by the time we looked: it is no longer pending.
        if (!(raw.pendingActivities ?? []).some((a) => a.activityId === victim.activityId)) {
          recoveryS = (Date.now() - killedAt) / 1000;
          break;
        }
        await sleep(50);
      }
      await sleep(500);
      results.push({
        stage,
        recoveryS,
        activity: victim.activity,
        orphanedFfmpeg: ffmpegs.filter(alive).length,
        ...(resumed.attempt ? { resumedAttempt: resumed.attempt } : {}),
        ...(resumed.lastFailure ? { lastFailure: resumed.lastFailure } : {}),
      });
      console.log(`  ${stage}: ${victim.activity} resumed ${recoveryS} s after SIGKILL`);
    }
    await handle.result();
  } finally {
    for (const child of workers.values()) child.kill('SIGKILL');
  }
  return results;
}

if (require.main === module) {
  runAlone('recovery', async ({ dir, source, address, client }) => {
    for (const r of await measureRecovery(dir, address, client, source)) console.log(JSON.stringify(r));
  });
}
