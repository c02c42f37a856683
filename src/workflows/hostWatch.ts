/**
 * The liveness watch over a pinned run's media calls. Media work may wait hours for its turn behind
 * MEDIA_CONCURRENCY on a busy healthy host, so its own pickup timeout cannot tell a busy host from a
 * dead one. While a media call is pending longer than the watch interval, the run asks the host's
 * LIGHT queue (not limited, so a live host answers at once) a trivial `hostAlive`; no answer within
 * the light pickup timeout means the host is gone: the media call is cancelled and a HOST_UNREACHABLE
 * failure goes out, which `PipelineRun.stage` treats as the host lost (src/workflows/pipelineRun.ts).
 *
 * History: a media call that finishes within the interval adds one started and one cancelled timer;
 * a longer one adds a timer and a `hostAlive` activity per interval.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';

/** The patch that watches media calls of pinned runs; runs recorded before it wait on the media pickup timeout alone. */
export const HOST_WATCH_PATCH = 'host-liveness-watch';

/** The failure type of a media call whose host did not answer the liveness check. */
export const HOST_UNREACHABLE = 'host_unreachable';

/** Default interval for runs whose claimHost answer carries no HOST_WATCH_INTERVAL_S (src/config.ts). */
export const HOST_WATCH_INTERVAL_S = 60;

export interface HostWatch {
  /** Seconds a media call may wait before (and between) liveness checks. */
  intervalS: number;
  /** The host's `hostAlive` on its light queue, with the light pickup timeout as schedule-to-start. */
  ping: () => Promise<unknown>;
}

/** Runs `call` (a media activity); if the host stops answering `ping` while it is pending, cancels it and fails. */
export async function watchHost<T>(
  activityType: string,
  call: () => Promise<T>,
  { intervalS, ping }: HostWatch,
): Promise<T> {
  const callScope = new CancellationScope();
  const result = callScope.run(call);
  const watchScope = new CancellationScope();
  const watch = watchScope.run(async (): Promise<never> => {
    for (let waitedS = intervalS; ; waitedS += intervalS) {
      await sleep(`${intervalS} seconds`);
      try {
        await ping();
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Only a check no worker of the host started says the host is gone; anything else proves nothing.
        if (!pickupTimedOut(err)) continue;
        throw ApplicationFailure.create({
          type: HOST_UNREACHABLE,
          message: `the run's host did not answer a liveness check (hostAlive) within its pickup timeout while ${activityType} waited ${waitedS} s+`,
          nonRetryable: true,
          details: [{ activityType }],
        });
      }
    }
  });
  try {
    return await Promise.race([result, watch]);
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === HOST_UNREACHABLE) {
      // The call sits on a dead host's queue: take it back, so the run can go on elsewhere.
      callScope.cancel();
      result.catch(() => undefined);
    }
    throw err;
  } finally {
    // A cancelled timer (or check) is all a call that finished in time leaves in history.
    watchScope.cancel();
    watch.catch(() => undefined);
  }
}

/** An activity no worker of its queue started within its schedule-to-start timeout. */
export function pickupTimedOut(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}
