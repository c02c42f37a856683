/** The first activity of a run: which host will hold its workspace (the worker-specific task queue pattern). */
import type { HostQueues } from '../domain/hosts';
import type { ActivityDeps } from './deps';

export function createHostActivities(deps: ActivityDeps) {
  return {
    /**
     * Answers on the shared queue with this host's own queues, when this process serves them
     * (src/worker.ts createWorkers); null when it does not (a single worker serving everything).
     */
    async claimHost(): Promise<HostQueues | null> {
      if (!deps.servesHostQueues) return null;
      const { hostId, hostQueue, mediaQueue, pickupTimeoutS, mediaPickupTimeoutS, watchIntervalS } = deps.config.host;
      return { hostId, hostQueue, mediaQueue, pickupTimeoutS, mediaPickupTimeoutS, watchIntervalS };
    },

    /**
     * Answers on the host's light queue that its worker is alive (src/workflows/hostWatch.ts): light
     * work is not held behind MEDIA_CONCURRENCY, so a live host starts this at once even mid-render.
     */
    async hostAlive(): Promise<{ hostId: string }> {
      return { hostId: deps.config.host.hostId };
    },
  };
}
