/**
 * brollGeneration: the child workflow that turns B-roll prompts into validated clips.
 *
 * Every clip is submitted at once (idempotent key `{runId}_{variant}`), then polled in batches on a
 * durable timer with adaptive backoff. Each clip is tracked on its own: a failure never stops the
 * others. The jobs table and its scheduler are the pure reducer in brollJobs.ts; this file only
 * feeds it events and carries out its commands. The table is mirrored to veo3/jobs.json and
 * reported to the parent on every change. The child lives until the parent's gate tells it to
 * finish (or the user cancels), so a retry can still reach it after every job has settled.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BrollInput, BrollSnapshot, FinishReason, JobStatus } from '../domain/broll';
import { statusOfSubmitFailure, SUBMIT_NON_RETRYABLE_TYPES } from '../domain/clipStatus';
import type { HostQueues } from '../domain/hosts';
import { HEARTBEAT_TIMEOUT, lightPickupTimeout } from './activityRoutes';
import { nextPollDelay } from './backoff';
import type { BrollJobsEvent, BrollJobsState, SubmitCommand } from './brollJobs';
import { initialBrollJobs, pollableJobs, reduceBrollJobs, snapshotOf } from './brollJobs';
import { brollQuery, brollUpdatedSignal, cancelBrollSignal, finishBrollSignal, retryBrollSignal } from './definitions';

/** The child's activities: on the parent's host when the run is pinned (the intents and clips live in its workspace). */
function brollActivities(host: HostQueues | undefined) {
  // The claiming host's pickup timeout (older claims carry none): past it, the host is lost and the
  // child fails, which the parent reads as its host lost (see BrollGate.childFailure).
  const onHost = host ? { taskQueue: host.hostQueue, scheduleToStartTimeout: lightPickupTimeout(host) } : {};
  const { submitClip } = proxyActivities<Activities>({
    ...onHost,
    // The adapter retries 429 with backoff inside one attempt; the activity marks what may be tried again.
    // submitClip heartbeats while the provider call is in flight: a dead worker is noticed in 20 s, and
    // the retry finds its intent and reports submit_unknown instead of paying twice.
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '20 seconds',
    retry: { maximumAttempts: 3, initialInterval: '2s', nonRetryableErrorTypes: SUBMIT_NON_RETRYABLE_TYPES },
  });
  const { pollClips } = proxyActivities<Activities>({
    ...onHost,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 3, initialInterval: '2s' },
  });
  const { recordBrollJobs } = proxyActivities<Activities>({
    ...onHost,
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 5 },
  });
  return { submitClip, pollClips, recordBrollJobs };
}

function failureOf(err: unknown): { status: JobStatus; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  return { status: statusOfSubmitFailure(type), message: cause instanceof Error ? cause.message : String(cause) };
}

export async function brollGeneration(input: BrollInput): Promise<BrollSnapshot> {
  const { submitClip, pollClips, recordBrollJobs } = brollActivities(input.host);
  const parent = workflowInfo().parent;
  const now = () => new Date().toISOString();
  let state: BrollJobsState = initialBrollJobs(input, now());

  function dispatch(event: BrollJobsEvent): void {
    const next = reduceBrollJobs(state, event);
    state = next.state;
    for (const command of next.commands) submit(command);
  }

  function submit({ key, submitKey }: SubmitCommand): void {
    const job = state.jobs.find((j) => j.idempotent_key === key)!;
    void submitClip({
      workspace: input.workspace,
      ...(input.budget ? { budget: input.budget } : {}),
      key: submitKey,
      prompt: job.prompt,
      durationS: job.duration_s,
      aspectRatio: input.aspectRatio,
      ...(job.start_image ? { startImagePath: job.start_image } : {}),
      ...(job.last_image ? { lastImagePath: job.last_image } : {}),
    }).then(
      ({ operation, costUsd, model, pricedAs }) =>
        dispatch({
          type: 'submit_accepted',
          key,
          operation,
          at: now(),
          ...(costUsd !== undefined ? { cost: { cost_usd: costUsd, model, provider: pricedAs } } : {}),
        }),
      (err: unknown) => dispatch({ type: 'submit_failed', key, ...failureOf(err), at: now() }),
    );
  }

  setHandler(brollQuery, () => state.jobs);
  // Without keys (people and scripts signalling the child): every failed clip.
  setHandler(retryBrollSignal, (request) =>
    dispatch({
      type: 'retry_requested',
      ...(request?.keys ? { keys: request.keys } : {}),
      ...(request?.includeUnknown ? { includeUnknown: true } : {}),
    }),
  );
  setHandler(cancelBrollSignal, () => dispatch({ type: 'finish_requested', reason: 'cancelled' }));
  setHandler(finishBrollSignal, (reason) => dispatch({ type: 'finish_requested', reason }));

  /** Mirrors the table to jobs.json and tells the parent, once per batch of changes. */
  async function publish(ended?: FinishReason): Promise<BrollSnapshot> {
    const snapshot = snapshotOf(state, ended);
    const events = state.events;
    dispatch({ type: 'published' });
    await recordBrollJobs({ workspace: input.workspace, jobs: snapshot.jobs, events });
    if (parent) {
      try {
        await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(brollUpdatedSignal, snapshot);
      } catch {
        // The parent has closed; nobody is waiting for this update.
      }
    }
    return snapshot;
  }

  const settings = { initialMs: input.pollInitialS * 1000, maxMs: input.pollMaxS * 1000 };
  let delay: number | undefined;
  let nextPollAt: number | undefined;
  const woken = () => state.dirty || state.pendingRetry !== undefined || state.finish !== null;

  dispatch({ type: 'start', at: now() });
  for (;;) {
    if (state.pendingRetry && state.finish === null) {
      dispatch({ type: 'retry', at: now() });
      delay = undefined;
      nextPollAt = undefined;
    }
    if (state.dirty) await publish();
    if (state.finish !== null) break;

    const polling = pollableJobs(state);
    if (polling.length === 0) {
      await condition(woken);
      continue;
    }
    if (state.statusChanged) {
      dispatch({ type: 'poll_scheduled' });
      delay = nextPollDelay(delay, true, settings);
      nextPollAt = Math.min(nextPollAt ?? Infinity, Date.now() + delay);
    }
    nextPollAt ??= Date.now() + (delay = nextPollDelay(undefined, false, settings));
    const waitMs = nextPollAt - Date.now();
    if (waitMs > 0 && (await condition(woken, waitMs))) continue;

    const results = await pollClips({
      workspace: input.workspace,
      jobs: polling.map((job) => ({
        key: job.idempotent_key,
        operation: job.operation!,
        durationS: job.duration_s,
        aspectRatio: input.aspectRatio,
      })),
    });
    dispatch({ type: 'polled', results, at: now() });
    // A change resets the delay at the top of the loop; a quiet poll backs off.
    nextPollAt = undefined;
    if (!state.statusChanged) nextPollAt = Date.now() + (delay = nextPollDelay(delay, false, settings));
  }

  // The gate is closing: whatever has not settled ends here.
  const finish = state.finish;
  dispatch({ type: 'close', at: now() });
  return publish(finish);
}
