/** Heartbeats for activity steps that report no progress of their own (a model call, a quiet ffmpeg step). */
import type { Context as ActivityContext } from '@temporalio/activity';

/** How often a heartbeat goes out while such a step runs (media activities allow 1 minute without one). */
const KEEP_ALIVE_MS = 15_000;

/** Heartbeats every few seconds while `work` runs, for steps that report no progress of their own. */
export async function keepAlive<T>(
  ctx: ActivityContext,
  details: Record<string, unknown>,
  work: () => Promise<T>,
): Promise<T> {
  ctx.heartbeat(details);
  const timer = setInterval(() => ctx.heartbeat(details), KEEP_ALIVE_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
