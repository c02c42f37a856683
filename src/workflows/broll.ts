/**
 * brollGeneration: the child workflow that turns B-roll prompts into validated clips.
 *
 * Every clip is submitted at once (idempotent key `{runId}_{variant}`), then polled in batches on a
 * durable timer with adaptive backoff. Each clip is tracked on its own: a failure never stops the
 * others. The jobs table is mirrored to veo3/jobs.json and reported to the parent on every change.
 * The child lives until the parent's gate tells it to finish (or the user cancels), so a retry can
 * still reach it after every job has settled.
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
import type { PollResult } from '../activities/broll';
import type { BrollInput, BrollJob, BrollSnapshot, ClipPrompt, FinishReason, JobStatus } from '../domain/broll';
import type { PipelineEvent } from '../domain/progress';
import { nextPollDelay } from './backoff';
import { isFailed, isSettled, SUBMIT_NON_RETRYABLE_TYPES, submitFailureStatus } from './classify';
import { brollQuery, brollUpdatedSignal, cancelBrollSignal, finishBrollSignal, retryBrollSignal } from './definitions';

const { submitClip } = proxyActivities<Activities>({
  // The adapter retries 429 with backoff inside one attempt; a refused connection gets two more tries.
  // submitClip heartbeats while the provider call is in flight: a dead worker is noticed in 20 s, and
  // the retry finds its intent and reports submit_unknown instead of paying twice.
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { maximumAttempts: 3, initialInterval: '2s', nonRetryableErrorTypes: SUBMIT_NON_RETRYABLE_TYPES },
});
const { pollClips } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '2s' },
});
const { recordBrollJobs } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

/** Consecutive failed polls of one operation before the job is marked poll_failed. */
const MAX_POLL_ERRORS = 3;

/** Keys are `{runId}_{variant}`; a second prompt with the same variant gets `-2`, and so on. */
export function idempotentKeys(runId: string, prompts: Pick<ClipPrompt, 'variant'>[]): string[] {
  const seen = new Map<string, number>();
  return prompts.map((prompt) => {
    const n = (seen.get(prompt.variant) ?? 0) + 1;
    seen.set(prompt.variant, n);
    return `${runId}_${prompt.variant}${n > 1 ? `-${n}` : ''}`;
  });
}

function failureOf(err: unknown): { status: JobStatus; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  return { status: submitFailureStatus(type), message: cause instanceof Error ? cause.message : String(cause) };
}

export async function brollGeneration(input: BrollInput): Promise<BrollSnapshot> {
  const parent = workflowInfo().parent;
  const keys = idempotentKeys(input.runId, input.prompts);
  const now = () => new Date().toISOString();
  const jobs: BrollJob[] = input.prompts.map((prompt, i) => ({
    idempotent_key: keys[i]!,
    variant: prompt.variant,
    status: 'pending',
    operation: null,
    video_path: null,
    error_message: null,
    attempts: 0,
    updated_at: now(),
    prompt: prompt.prompt,
    duration_s: prompt.duration_s,
    narrative_anchor: prompt.narrative_anchor,
    ...(prompt.start_image ? { start_image: prompt.start_image } : {}),
    ...(prompt.last_image ? { last_image: prompt.last_image } : {}),
  }));
  /** Jobs waiting for a free generation slot (maxConcurrent). */
  const queue: BrollJob[] = [];
  const limit = input.maxConcurrent ?? Infinity;
  const events: PipelineEvent[] = [];
  const pollErrors = new Map<string, number>();
  let retries = 0;
  let retryRequested = false;
  let finish: FinishReason | undefined;
  let dirty = true;
  /** A status changed since the poll schedule was last set: poll again soon. */
  let statusChanged = false;

  setHandler(brollQuery, () => jobs);
  setHandler(retryBrollSignal, () => {
    retryRequested = true;
  });
  setHandler(cancelBrollSignal, () => {
    finish ??= 'cancelled';
  });
  setHandler(finishBrollSignal, (reason) => {
    finish ??= reason;
  });

  function setStatus(job: BrollJob, status: JobStatus, patch: Partial<BrollJob> = {}): void {
    if (job.status !== status) {
      statusChanged = true;
      events.push({
        at: now(),
        type: 'veo3.job.status_changed',
        data: { key: job.idempotent_key, from: job.status, to: status },
      });
    }
    Object.assign(job, patch, { status, updated_at: now() });
    dirty = true;
  }

  /** Jobs in flight at the provider (being submitted or generating). */
  const inFlight = () =>
    jobs.filter((job) => job.status === 'pending' && !queue.includes(job) && job.attempts > 0).length +
    jobs.filter((job) => job.status === 'submitted').length;

  function submit(job: BrollJob): void {
    setStatus(job, 'pending', { operation: null, error_message: null });
    if (!queue.includes(job)) queue.push(job);
    launch();
  }

  /** Starts queued jobs while there is room under the concurrency limit. */
  function launch(): void {
    while (queue.length > 0 && inFlight() < limit) {
      const job = queue.shift()!;
      job.attempts += 1;
      // Resubmissions get their own key: the provider must create a new job, not return the failed one.
      const key = job.attempts > 1 ? `${job.idempotent_key}_r${job.attempts}` : job.idempotent_key;
      void submitClip({
        workspace: input.workspace,
        ...(input.budget ? { budget: input.budget } : {}),
        key,
        prompt: job.prompt,
        durationS: job.duration_s,
        aspectRatio: input.aspectRatio,
        ...(job.start_image ? { startImagePath: job.start_image } : {}),
        ...(job.last_image ? { lastImagePath: job.last_image } : {}),
      }).then(
        ({ operation, costUsd, model, pricedAs }) =>
          setStatus(job, 'submitted', { operation, cost_usd: costUsd, model, provider: pricedAs }),
        (err: unknown) => {
          const { status, message } = failureOf(err);
          setStatus(job, status, { error_message: message });
          launch();
        },
      );
    }
  }

  /** Mirrors the table to jobs.json and tells the parent, once per batch of changes. */
  async function publish(ended?: FinishReason): Promise<BrollSnapshot> {
    dirty = false;
    const snapshot: BrollSnapshot = { jobs: jobs.map((job) => ({ ...job })), retries, ...(ended ? { ended } : {}) };
    await recordBrollJobs({ workspace: input.workspace, jobs: snapshot.jobs, events: events.splice(0) });
    if (parent) {
      try {
        await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(brollUpdatedSignal, snapshot);
      } catch {
        // The parent has closed; nobody is waiting for this update.
      }
    }
    return snapshot;
  }

  function applyPoll(job: BrollJob, result: PollResult): void {
    if (result.status === 'submitted') {
      pollErrors.delete(job.idempotent_key);
    } else if (result.status === 'poll_error') {
      const count = (pollErrors.get(job.idempotent_key) ?? 0) + 1;
      pollErrors.set(job.idempotent_key, count);
      if (count >= MAX_POLL_ERRORS) setStatus(job, 'poll_failed', { error_message: result.error });
    } else {
      pollErrors.delete(job.idempotent_key);
      if (result.status === 'done' && 'videoPath' in result)
        setStatus(job, 'done', { video_path: result.videoPath, error_message: null });
      else setStatus(job, result.status, { error_message: 'error' in result ? result.error : null });
    }
  }

  const settings = { initialMs: input.pollInitialS * 1000, maxMs: input.pollMaxS * 1000 };
  let delay: number | undefined;
  let nextPollAt: number | undefined;
  const woken = () => dirty || retryRequested || finish !== undefined;

  for (const job of jobs) submit(job);
  for (;;) {
    if (retryRequested && finish === undefined) {
      retryRequested = false;
      retries += 1;
      for (const job of jobs.filter((j) => isFailed(j.status))) {
        // A poll failure is retried by polling the same operation again: no new (paid) generation.
        if (job.status === 'poll_failed' && job.operation) setStatus(job, 'submitted', { error_message: null });
        else submit(job);
      }
      delay = undefined;
      nextPollAt = undefined;
    }
    if (dirty) await publish();
    if (finish !== undefined) break;

    const polling = jobs.filter((job) => job.status === 'submitted' && job.operation);
    if (polling.length === 0) {
      await condition(woken);
      continue;
    }
    if (statusChanged) {
      statusChanged = false;
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
    for (const result of results) {
      const job = jobs.find((j) => j.idempotent_key === result.key);
      if (job && job.status === 'submitted') applyPoll(job, result);
    }
    launch();
    // A change resets the delay at the top of the loop; a quiet poll backs off.
    nextPollAt = undefined;
    if (!statusChanged) nextPollAt = Date.now() + (delay = nextPollDelay(delay, false, settings));
  }

  // The gate is closing: whatever has not settled ends here.
  for (const job of jobs) {
    if (isSettled(job.status)) continue;
    if (finish === 'cancelled') setStatus(job, 'cancelled', { error_message: 'B-roll generation was cancelled' });
    else setStatus(job, 'timed_out', { error_message: 'not finished when the B-roll gate closed' });
  }
  return publish(finish);
}
