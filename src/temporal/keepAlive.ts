/**
 * Every activity heartbeats while it runs, so a worker that dies is noticed within the workflows'
 * heartbeat timeout (src/workflows/activityRoutes.ts) instead of when a start-to-close of minutes
 * expires. Activities that checkpoint (heartbeat details they resume from) keep their details: the
 * keep-alive repeats the last details the activity sent, never overwriting them with nothing.
 * The same interceptor marks a retried activity's result with its attempt (src/domain/attempts.ts).
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { withActivityAttempt } from '../domain/attempts';

/** How often the keep-alive beats; the SDK sends at most one heartbeat per throttle interval anyway. */
export const KEEP_ALIVE_INTERVAL_MS = 2_000;

/** The context's heartbeat function: protected in the SDK's types, a plain field at run time. */
type HeartbeatField = { heartbeatFn: (details?: unknown) => void };

export const keepAliveInterceptor: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    async execute(input, next) {
      const field = ctx as unknown as HeartbeatField;
      const send = field.heartbeatFn;
      // Details from an earlier attempt stay the checkpoint until this attempt reports its own.
      let last: unknown = ctx.info.heartbeatDetails;
      field.heartbeatFn = (details?: unknown) => {
        last = details;
        send(details);
      };
      const beat = () => send(last);
      beat();
      const timer = setInterval(beat, KEEP_ALIVE_INTERVAL_MS);
      try {
        // A retry says so in its result: the run's status counts it as an attempt of the stage.
        return withActivityAttempt(await next(input), ctx.info.attempt);
      } finally {
        clearInterval(timer);
      }
    },
  },
});
