/**
 * Host affinity without a shared disk: a run's workspace lives on one host, so every activity that
 * reads or writes it goes to that host's own task queues (the worker-specific task queue pattern).
 * A "host" is a workspace folder: workers that share a RUNS_DIR share files, so they share queues.
 */
import { z } from 'zod';

/** A host's id as it names task queues (REELFLOW_HOST_ID, or a request's `host`). */
export const HostIdSchema = z
  .string()
  .regex(/^[\w.-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores');

/** The task queues of the host that holds a run's workspace; recorded in history when the run claims it. */
export interface HostQueues {
  /** Who holds the workspace (REELFLOW_HOST_ID, or hostname plus a hash of RUNS_DIR). */
  hostId: string;
  /** Light work that touches the workspace (artifacts, events, QA, delivery): not limited. */
  hostQueue: string;
  /** CPU-heavy media work (ffmpeg, layout, audio features): at most MEDIA_CONCURRENCY at once per host. */
  mediaQueue: string;
  /** Schedule-to-start limits of the host's light and media queues (HOST_PICKUP_TIMEOUT_S, MEDIA_PICKUP_TIMEOUT_S); absent in older claims. */
  pickupTimeoutS?: number;
  mediaPickupTimeoutS?: number;
  /**
   * While a media call of the run waits longer than this, the run asks the host's light queue whether the
   * host is alive (HOST_WATCH_INTERVAL_S; src/workflows/hostWatch.ts); absent in older claims.
   */
  watchIntervalS?: number;
}

/** The queues of `hostId` under the deployment's main task queue (names derive from it, so projects never mix). */
export function hostQueuesOf(taskQueue: string, hostId: string): HostQueues {
  return { hostId, hostQueue: `${taskQueue}-host-${hostId}`, mediaQueue: `${taskQueue}-media-${hostId}` };
}
