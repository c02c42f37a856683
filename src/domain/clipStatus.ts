/**
 * The one place that knows what a clip's status means and how failures map onto statuses: provider
 * errors (the Veo adapter), activity failure types (the child workflow), and which statuses a retry
 * can fix. Pure: shared by workflows, activities and providers.
 */
import type { BrollJob, JobStatus } from './broll';
import { JobStatus as Status } from './broll';

/** Failures a retry can fix without paying twice: no job was created, or the job is still there to poll. */
export const RETRIABLE_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  Status.SUBMIT_FAILED,
  Status.RATE_LIMITED,
  Status.POLL_FAILED,
]);

export const FAILED_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  Status.SUBMIT_FAILED,
  Status.RATE_LIMITED,
  Status.POLL_FAILED,
  Status.DOWNLOAD_FAILED,
  Status.GENERATION_FAILED,
  Status.INVALID_CLIP,
  Status.INVALID_ARGUMENT,
  Status.RAI_FILTERED,
  Status.MODEL_UNAVAILABLE,
  Status.OVER_BUDGET,
]);

/**
 * The provider may have accepted the job (and be charging for it): never resubmitted automatically
 * (not in FAILED_STATUSES, so a plain retry skips it), only by a retry that asks for it
 * (`reelflow broll retry <id> --include-unknown`).
 */
export const UNKNOWN_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([Status.SUBMIT_UNKNOWN]);

/** submitClip failure types Temporal must never retry (the activity also marks them non-retryable). */
export const SUBMIT_NON_RETRYABLE_TYPES: string[] = [
  Status.RATE_LIMITED,
  Status.INVALID_ARGUMENT,
  Status.MODEL_UNAVAILABLE,
  Status.OVER_BUDGET,
  Status.SUBMIT_UNKNOWN,
];

const ALL_STATUSES: ReadonlySet<string> = new Set(Object.values(Status));

/** Statuses after which nothing more happens to a job unless someone retries it. */
export function isSettled(status: JobStatus): boolean {
  return status !== Status.PENDING && status !== Status.SUBMITTED;
}

export function isRetriable(status: JobStatus): boolean {
  return RETRIABLE_STATUSES.has(status);
}

export function isFailed(status: JobStatus): boolean {
  return FAILED_STATUSES.has(status);
}

/**
 * The status for a failed submission, from the provider's HTTP status, message and network error
 * code. Only what proves that no job was created may be retried: an HTTP 4xx answer, or a
 * connection refused before the request was sent. Anything else (5xx, a reset or timeout after
 * sending) leaves the outcome unknown: submit_unknown, never resubmitted automatically. The message
 * of a Google API error is the JSON error body, where `INVALID_ARGUMENT` or `RESOURCE_EXHAUSTED`
 * appears as error.status.
 */
export function classifySubmitError(error: { status?: number; message: string; code?: string }): JobStatus {
  if (error.status === 429 || /RESOURCE_EXHAUSTED/.test(error.message)) return Status.RATE_LIMITED;
  if (error.status === 404 && /no longer available|is not found|not supported/i.test(error.message))
    return Status.MODEL_UNAVAILABLE;
  if (/INVALID_ARGUMENT/.test(error.message) || error.status === 400) return Status.INVALID_ARGUMENT;
  if (error.status !== undefined && error.status >= 400 && error.status < 500) return Status.SUBMIT_FAILED;
  if (error.status === undefined && error.code === 'ECONNREFUSED') return Status.SUBMIT_FAILED;
  return Status.SUBMIT_UNKNOWN;
}

/** The status for a finished operation that carries an error. */
export function classifyOperationError(error: { code?: number; message?: string }): JobStatus {
  if (/INVALID_ARGUMENT/.test(error.message ?? '') || error.code === 3) return Status.INVALID_ARGUMENT;
  return Status.GENERATION_FAILED;
}

/**
 * The status for a submit activity that failed with this ApplicationFailure type. The activity
 * names the status in the type (rate_limited, invalid_argument, …); anything else — a crash, a
 * timeout, an error nobody classified — is a plain submit_failed.
 */
export function statusOfSubmitFailure(type: string | null | undefined): JobStatus {
  return type && ALL_STATUSES.has(type) && isSettled(type as JobStatus) ? (type as JobStatus) : Status.SUBMIT_FAILED;
}

/** Whether the submit activity may try again after this status (the provider adapter already retried 429s). */
export function submitMayRetry(status: JobStatus): boolean {
  return status === Status.SUBMIT_FAILED;
}

/** True when there are jobs and every one of them failed in a way a retry could fix. */
export function allFailedRetriably(jobs: BrollJob[]): boolean {
  return jobs.length > 0 && jobs.every((job) => isRetriable(job.status));
}

export function countByStatus(jobs: BrollJob[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const job of jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;
  return counts;
}
