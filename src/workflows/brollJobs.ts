/**
 * The B-roll jobs table and its scheduler as a pure reducer: `(state, event) → { state, commands }`.
 * The child workflow (broll.ts) only feeds it events — a submission answered, a poll result, a
 * retry or finish request — and carries out the commands it returns (submit this clip). Unit
 * tests drive it without Temporal. Time comes in with each event, so it stays deterministic.
 */
import type { BrollJob, BrollSnapshot, ClipPrompt, FinishReason, JobStatus, PollResult } from '../domain/broll';
import { JobStatus as Status } from '../domain/broll';
import { isFailed, isSettled, UNKNOWN_STATUSES } from '../domain/clipStatus';
import type { PipelineEvent } from '../domain/progress';

/** Consecutive failed polls of one operation before the job is marked poll_failed. */
export const MAX_POLL_ERRORS = 3;

export interface BrollJobsState {
  jobs: BrollJob[];
  /** Keys waiting for a generation slot, oldest first. */
  queue: string[];
  /** Keys whose submit activity is running. */
  submitting: string[];
  pollErrors: Record<string, number>;
  /** Retry rounds carried out (lets the parent tell a fresh table from a stale one). */
  retries: number;
  /** A retry asked for and not yet carried out: the keys, or null for every failed clip. */
  pendingRetry?: { keys: string[] | null; includeUnknown?: boolean };
  /** Clips generating at once; null means no limit. */
  limit: number | null;
  finish: FinishReason | null;
  /** A status changed since the poll schedule was last set: poll again soon. */
  statusChanged: boolean;
  /** Changes not yet mirrored to jobs.json and the parent. */
  dirty: boolean;
  /** Status changes not yet written to events.jsonl. */
  events: PipelineEvent[];
}

export type BrollJobsEvent =
  | { type: 'start'; at: string }
  | {
      type: 'submit_accepted';
      key: string;
      operation: string;
      at: string;
      /** What the accepted job costs, and the model that took it (absent in histories before metering). */
      cost?: Pick<BrollJob, 'cost_usd' | 'model' | 'provider'>;
    }
  | { type: 'submit_failed'; key: string; status: JobStatus; message: string; at: string }
  | { type: 'polled'; results: PollResult[]; at: string }
  /** Someone asked for a retry; it is carried out by the next `retry` (never after finish). */
  | { type: 'retry_requested'; keys?: string[]; includeUnknown?: boolean }
  | { type: 'retry'; at: string }
  | { type: 'finish_requested'; reason: FinishReason }
  /** The child is returning: every unsettled job ends as cancelled or timed out. */
  | { type: 'close'; at: string }
  | { type: 'poll_scheduled' }
  | { type: 'published' };

/** Submit this clip under `submitKey` (the job's key, or `<key>_r<n>` for a resubmission). */
export interface SubmitCommand {
  type: 'submit';
  key: string;
  submitKey: string;
}

/** Keys are `{runId}_{variant}`; a second prompt with the same variant gets `-2`, and so on. */
export function idempotentKeys(runId: string, prompts: Pick<ClipPrompt, 'variant'>[]): string[] {
  const seen = new Map<string, number>();
  return prompts.map((prompt) => {
    const n = (seen.get(prompt.variant) ?? 0) + 1;
    seen.set(prompt.variant, n);
    return `${runId}_${prompt.variant}${n > 1 ? `-${n}` : ''}`;
  });
}

/**
 * A job of a child whose host was lost, as the new host's child starts it. At most once: a job the
 * provider accepted is polled again by its operation (its clip was on the lost disk: downloaded
 * again); a job still pending may have been sent, so it is submit_unknown (a person may resubmit it
 * knowingly); a settled failure stays as it was.
 */
export function adoptJob(job: BrollJob, at: string): BrollJob {
  if (job.operation && (job.status === Status.SUBMITTED || job.status === Status.DONE))
    return { ...job, status: Status.SUBMITTED, video_path: null, updated_at: at };
  if (job.status === Status.PENDING)
    return {
      ...job,
      status: Status.SUBMIT_UNKNOWN,
      error_message: 'its submission was under way on a host that was lost: the provider may have accepted it',
      updated_at: at,
    };
  return { ...job };
}

/** A job not yet submitted: what the table holds for each prompt when a child starts. */
export function pendingJob(key: string, prompt: ClipPrompt, at: string): BrollJob {
  return {
    idempotent_key: key,
    variant: prompt.variant,
    status: Status.PENDING,
    operation: null,
    video_path: null,
    error_message: null,
    attempts: 0,
    updated_at: at,
    prompt: prompt.prompt,
    duration_s: prompt.duration_s,
    narrative_anchor: prompt.narrative_anchor,
    ...(prompt.start_image ? { start_image: prompt.start_image } : {}),
    ...(prompt.last_image ? { last_image: prompt.last_image } : {}),
  };
}

export function initialBrollJobs(
  input: { runId: string; prompts: ClipPrompt[]; maxConcurrent?: number; adopted?: BrollJob[] },
  at: string,
): BrollJobsState {
  const keys = idempotentKeys(input.runId, input.prompts);
  return {
    jobs: input.adopted?.length
      ? input.adopted.map((job) => adoptJob(job, at))
      : input.prompts.map((prompt, i) => pendingJob(keys[i]!, prompt, at)),
    queue: [],
    submitting: [],
    pollErrors: {},
    retries: 0,
    limit: input.maxConcurrent ?? null,
    finish: null,
    statusChanged: false,
    dirty: true,
    events: [],
  };
}

export function reduceBrollJobs(
  previous: BrollJobsState,
  event: BrollJobsEvent,
): { state: BrollJobsState; commands: SubmitCommand[] } {
  // A JSON copy: the state is plain data, and the workflow sandbox need not offer structuredClone.
  const state = JSON.parse(JSON.stringify(previous)) as BrollJobsState;
  const commands: SubmitCommand[] = [];
  const job = (key: string) => state.jobs.find((j) => j.idempotent_key === key);

  function setStatus(target: BrollJob, status: JobStatus, at: string, patch: Partial<BrollJob> = {}): void {
    if (target.status !== status) {
      state.statusChanged = true;
      state.events.push({
        at,
        type: 'veo3.job.status_changed',
        data: { key: target.idempotent_key, from: target.status, to: status },
      });
    }
    Object.assign(target, patch, { status, updated_at: at });
    state.dirty = true;
  }

  function enqueue(target: BrollJob, at: string): void {
    setStatus(target, Status.PENDING, at, { operation: null, error_message: null });
    if (!state.queue.includes(target.idempotent_key)) state.queue.push(target.idempotent_key);
  }

  /** Starts queued jobs while there is room under the concurrency limit. */
  function launch(): void {
    const inFlight = () => state.submitting.length + state.jobs.filter((j) => j.status === Status.SUBMITTED).length;
    while (state.queue.length > 0 && (state.limit === null || inFlight() < state.limit)) {
      const target = job(state.queue.shift()!)!;
      target.attempts += 1;
      state.submitting.push(target.idempotent_key);
      // Resubmissions get their own key: the provider must create a new job, not return the failed one.
      const submitKey = target.attempts > 1 ? `${target.idempotent_key}_r${target.attempts}` : target.idempotent_key;
      commands.push({ type: 'submit', key: target.idempotent_key, submitKey });
    }
  }

  const answered = (key: string) => {
    state.submitting = state.submitting.filter((k) => k !== key);
  };

  switch (event.type) {
    case 'start':
      // Only new jobs are submitted (adopted ones start submitted or settled).
      for (const target of state.jobs) if (target.status === Status.PENDING) enqueue(target, event.at);
      launch();
      break;
    case 'submit_accepted': {
      answered(event.key);
      const target = job(event.key);
      // A job the gate already ended keeps its status; the operation is still worth recording.
      if (target && !isSettled(target.status))
        setStatus(target, Status.SUBMITTED, event.at, { operation: event.operation, ...event.cost });
      else if (target) Object.assign(target, { operation: event.operation, ...event.cost });
      break;
    }
    case 'submit_failed': {
      answered(event.key);
      const target = job(event.key);
      if (target && !isSettled(target.status))
        setStatus(target, event.status, event.at, { error_message: event.message });
      launch();
      break;
    }
    case 'polled':
      for (const result of event.results) {
        const target = job(result.key);
        if (target?.status === Status.SUBMITTED) applyPoll(target, result, event.at);
      }
      launch();
      break;
    case 'retry_requested': {
      const keys = event.keys ?? null;
      const earlier = state.pendingRetry?.keys;
      // Two requests before the loop runs: the union (null = every failed clip wins).
      state.pendingRetry = {
        keys: keys === null || earlier === null ? null : [...new Set([...(earlier ?? []), ...keys])],
        ...(event.includeUnknown || state.pendingRetry?.includeUnknown ? { includeUnknown: true } : {}),
      };
      break;
    }
    case 'retry': {
      const request = state.pendingRetry;
      delete state.pendingRetry;
      if (!request || state.finish !== null) break;
      state.retries += 1;
      for (const target of retryTargets(state.jobs, request.keys, request.includeUnknown)) {
        // A poll failure is retried by polling the same operation again: no new (paid) generation.
        if (target.status === Status.POLL_FAILED && target.operation) {
          delete state.pollErrors[target.idempotent_key];
          setStatus(target, Status.SUBMITTED, event.at, { error_message: null });
        } else enqueue(target, event.at);
      }
      launch();
      break;
    }
    case 'finish_requested':
      state.finish ??= event.reason;
      break;
    case 'close':
      for (const target of state.jobs) {
        if (isSettled(target.status)) continue;
        if (state.finish === 'cancelled')
          setStatus(target, Status.CANCELLED, event.at, { error_message: 'B-roll generation was cancelled' });
        else
          setStatus(target, Status.TIMED_OUT, event.at, { error_message: 'not finished when the B-roll gate closed' });
      }
      break;
    case 'poll_scheduled':
      state.statusChanged = false;
      break;
    case 'published':
      state.dirty = false;
      state.events = [];
      break;
  }
  return { state, commands };

  function applyPoll(target: BrollJob, result: PollResult, at: string): void {
    const key = target.idempotent_key;
    if (result.status === Status.SUBMITTED) {
      delete state.pollErrors[key];
    } else if (result.status === 'poll_error') {
      const count = (state.pollErrors[key] ?? 0) + 1;
      state.pollErrors[key] = count;
      if (count >= MAX_POLL_ERRORS) setStatus(target, Status.POLL_FAILED, at, { error_message: result.error });
    } else {
      delete state.pollErrors[key];
      if (result.status === Status.DONE && 'videoPath' in result)
        setStatus(target, Status.DONE, at, {
          video_path: result.videoPath,
          error_message: null,
          ...('outputTokens' in result && result.outputTokens !== undefined
            ? { output_tokens: result.outputTokens }
            : {}),
        });
      else setStatus(target, result.status, at, { error_message: 'error' in result ? result.error : null });
    }
  }
}

/**
 * The failed jobs a retry resubmits (or re-polls): all of them, or those named. A submission whose
 * outcome is unknown is resubmitted only when the person asks for it (includeUnknown).
 */
export function retryTargets(jobs: BrollJob[], keys: string[] | null, includeUnknown = false): BrollJob[] {
  return jobs.filter(
    (j) =>
      (isFailed(j.status) || (includeUnknown && UNKNOWN_STATUSES.has(j.status))) &&
      (keys === null || keys.includes(j.idempotent_key)),
  );
}

/** Jobs to poll now: accepted by the provider and not yet settled. */
export function pollableJobs(state: BrollJobsState): BrollJob[] {
  return state.jobs.filter((j) => j.status === Status.SUBMITTED && j.operation);
}

export function snapshotOf(state: BrollJobsState, ended?: FinishReason): BrollSnapshot {
  return { jobs: state.jobs.map((j) => ({ ...j })), retries: state.retries, ...(ended ? { ended } : {}) };
}
