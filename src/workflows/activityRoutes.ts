/**
 * Where a run's activities go and with which options: one place for the option sets that reel.ts,
 * video.ts and broll.ts use, and for host affinity (a run's workspace stays on one host, so once the
 * run is pinned every activity that touches it goes to that host's own queues).
 *
 * Every activity heartbeats (the worker's keep-alive, src/temporal/keepAlive.ts, sends one every
 * 2 s while any activity runs), so a dead worker is noticed after HEARTBEAT_TIMEOUT instead of when a
 * start-to-close of minutes expires; start-to-close only bounds a hung but living worker.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { ApplicationFailure, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';
import type { HostQueues } from '../domain/hosts';
import { hostQueuesOf } from '../domain/hosts';
import type { HostWatch } from './hostWatch';
import { HOST_WATCH_INTERVAL_S, HOST_WATCH_PATCH, pickupTimedOut, watchHost } from './hostWatch';

/**
 * 12 s without a heartbeat means the worker is gone. Heartbeats reach the server at most 3 s apart
 * (maxHeartbeatThrottleInterval in src/worker.ts), so a busy but healthy worker has four chances;
 * with the 1 s first retry, work resumes on another worker about 13–15 s after a kill.
 */
export const HEARTBEAT_TIMEOUT = '12 seconds';

/**
 * A run pinned to a host whose worker does not pick its light work up within this has lost its host:
 * reels, episodes and prompt-to-video runs move to another host (PipelineRun.moveHost); runs
 * recorded before their move was patched in fail the stage visibly and wait for resume. The default
 * for runs whose claimHost answer carries no HOST_PICKUP_TIMEOUT_S (src/config.ts).
 */
export const HOST_PICKUP_TIMEOUT = '5 minutes';

/** A duration in seconds from a claimHost answer, or the default for answers recorded before it existed. */
function seconds(s: number | undefined, fallback: string): string {
  return s === undefined ? fallback : `${s} seconds`;
}

/** How long the host's light work may wait for pickup before the host counts as lost. */
export function lightPickupTimeout(queues: HostQueues): string {
  return seconds(queues.pickupTimeoutS, HOST_PICKUP_TIMEOUT);
}

/** A host asked for a run's files (src/workflows/hostFiles.ts) that does not answer within this is down. */
export const HOST_FILE_PICKUP_TIMEOUT = '20 seconds';

/**
 * Media work may wait its turn behind the host's MEDIA_CONCURRENCY limit, but not forever. A dead host
 * is found sooner, by the liveness watch (src/workflows/hostWatch.ts).
 */
export const MEDIA_PICKUP_TIMEOUT = '2 hours';

export const RETRY = { maximumAttempts: 3, initialInterval: '1s', nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES };

/** Fast work: file checks, JSON artifacts, events, model calls. */
export const LIGHT: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: RETRY,
};

/** ffmpeg and analysis work: long, reports progress. */
export const MEDIA: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: RETRY,
};

export interface ActivityRoute {
  light: Activities;
  media: Activities;
}

/** Light and media work on the workflow's own task queue: runs recorded before host affinity, and single workers. */
export function sharedRoute(): ActivityRoute {
  return { light: proxyActivities<Activities>(LIGHT), media: proxyActivities<Activities>(MEDIA) };
}

/**
 * Light work on the host's queue, media work on its bounded media queue. The pickup timeouts come
 * from the claiming host's config (in history with its claimHost answer); older answers have none.
 */
export function hostRoute(queues: HostQueues): ActivityRoute {
  const light = proxyActivities<Activities>({
    ...LIGHT,
    taskQueue: queues.hostQueue,
    scheduleToStartTimeout: lightPickupTimeout(queues),
  });
  // Media work may wait its turn for hours; the watch tells a dead host from a busy one in minutes.
  const watch: HostWatch | undefined = patched(HOST_WATCH_PATCH)
    ? { intervalS: queues.watchIntervalS ?? HOST_WATCH_INTERVAL_S, ping: () => light.hostAlive() }
    : undefined;
  return {
    light,
    media: byStage(
      (priorityKey) =>
        proxyActivities<Activities>({
          ...MEDIA,
          taskQueue: queues.mediaQueue,
          scheduleToStartTimeout: seconds(queues.mediaPickupTimeoutS, MEDIA_PICKUP_TIMEOUT),
          priority: { priorityKey },
        }),
      watch,
    ),
  };
}

/**
 * The media queue serves the run furthest along first (Temporal task queue priority: 1 goes before
 * 5). With reels started together and MEDIA_CONCURRENCY renders at a time, plain FIFO interleaves
 * every run's stages, so all of them finish together at the end; a key per stage, later stages
 * first, lets the first run through each stage ahead of the others' earlier ones, so the first reel
 * arrives near one reel's time and the others one by one.
 */
const MEDIA_PRIORITY: Partial<Record<keyof Activities, number>> = {
  assembleReel: 1,
  stitchVideo: 1,
  renderSegments: 2,
  detectLayout: 3,
  renderKeyframes: 3,
  pickMoment: 4,
  pickMoments: 4,
  research: 5,
};
/** The server's default key, for media work not listed. */
const DEFAULT_PRIORITY = 3;

/**
 * Activities whose each call carries its stage's priority (`proxyAt` makes the proxy of one priority),
 * each call under the host's liveness watch when there is one.
 */
function byStage(proxyAt: (priorityKey: number) => Activities, watch?: HostWatch): Activities {
  const proxies = new Map<number, Activities>();
  const at = (key: number) => proxies.get(key) ?? proxies.set(key, proxyAt(key)).get(key)!;
  return new Proxy({} as Activities, {
    get: (_, name) => {
      const activity = name as keyof Activities;
      const call = at(MEDIA_PRIORITY[activity] ?? DEFAULT_PRIORITY)[activity] as (
        ...args: unknown[]
      ) => Promise<unknown>;
      if (!watch) return call;
      return (...args: unknown[]) => watchHost(String(activity), () => call(...args), watch);
    },
  });
}

/** The patch that pins new runs to the host that creates their workspace; runs recorded before it replay unpinned. */
export const HOST_AFFINITY_PATCH = 'host-affinity';

/** The patch that moves a reel run whose host stopped picking up its work to another host; older runs wait for resume. */
export const HOST_FAILOVER_PATCH = 'host-failover';
/** Runs whose request names a host (`host`) claim it on that host's own queue. */
export const REQUESTED_HOST_PATCH = 'requested-host';

/** Claims the host a request named, on that host's own light queue; a host that never answers fails the run, saying so. */
async function claimRequested(hostId: string): Promise<HostQueues | null> {
  const { hostQueue } = hostQueuesOf(workflowInfo().taskQueue, hostId);
  const { claimHost } = proxyActivities<Activities>({
    ...LIGHT,
    taskQueue: hostQueue,
    scheduleToStartTimeout: HOST_PICKUP_TIMEOUT,
  });
  try {
    return await claimHost();
  } catch (err) {
    if (!pickupTimedOut(err)) throw err;
    throw ApplicationFailure.nonRetryable(
      `no worker of host "${hostId}" (task queue ${hostQueue}) claimed the run within ${HOST_PICKUP_TIMEOUT}: the request names that host (its source is on its disk); start its worker and the run again, or start the run without "host"`,
      'HOST_UNAVAILABLE',
    );
  }
}

/**
 * A run's route: shared until `pin()` asks the shared queue which host takes the run (the first worker
 * to answer), and then that host's. `pin` is called before the workspace exists, under
 * patched(HOST_AFFINITY_PATCH); the answer is in history, so replays take the same route.
 */
export class RunRoute implements ActivityRoute {
  private route = sharedRoute();
  host?: HostQueues;

  get light(): Activities {
    return this.route.light;
  }

  get media(): Activities {
    return this.route.media;
  }

  /** The host the request named (`host`): only it is asked, first and after a loss. */
  private requested?: string;

  /**
   * Claims a host through the shared queue (any live host answers; none alive: it waits for one).
   * Called again after the run's host is lost, so a dead host's queue is never asked.
   *
   * A request that names a host (its source is on that host's disk only, as a studio upload is) asks
   * that host's light queue instead, also after a loss: a host that does not pick the claim up within
   * HOST_PICKUP_TIMEOUT fails the run, naming the host and its queue, rather than the run landing on
   * a host that cannot read its source.
   */
  async pin(requestedHost?: string): Promise<HostQueues | undefined> {
    if (requestedHost !== undefined && patched(REQUESTED_HOST_PATCH)) this.requested = requestedHost;
    const host = this.requested ? await claimRequested(this.requested) : await sharedRoute().light.claimHost();
    if (host) {
      this.host = host;
      this.route = hostRoute(host);
    }
    return this.host;
  }
}
