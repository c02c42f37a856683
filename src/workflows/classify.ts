/**
 * Which B-roll outcomes a retry can fix, and how provider errors map onto job statuses. Pure:
 * shared by the child workflow, the gate and the provider adapter.
 */
import type { BrollJob, JobStatus } from '../domain/broll';

export const RETRIABLE_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'submit_failed',
  'rate_limited',
  'poll_failed',
]);

export const FAILED_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'submit_failed',
  'rate_limited',
  'poll_failed',
  'download_failed',
  'generation_failed',
  'invalid_clip',
  'invalid_argument',
  'rai_filtered',
  'model_unavailable',
  'over_budget',
]);

/**
 * The provider may have accepted the job (and be charging for it): never resubmitted automatically,
 * only by a retry that asks for it (`--include-unknown`).
 */
export const UNKNOWN_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['submit_unknown']);

/** Statuses after which nothing more happens to a job unless someone retries it. */
export function isSettled(status: JobStatus): boolean {
  return status !== 'pending' && status !== 'submitted';
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
 * sending) leaves the outcome unknown. The message of a Google API error is the JSON error body,
 * where `INVALID_ARGUMENT` or `RESOURCE_EXHAUSTED` appears as error.status.
 */
export function classifySubmitError(error: { status?: number; message: string; code?: string }): JobStatus {
  if (error.status === 429 || /RESOURCE_EXHAUSTED/.test(error.message)) return 'rate_limited';
  if (error.status === 404 && /no longer available|is not found|not supported/i.test(error.message))
    return 'model_unavailable';
  if (/INVALID_ARGUMENT/.test(error.message) || error.status === 400) return 'invalid_argument';
  if (error.status !== undefined && error.status >= 400 && error.status < 500) return 'submit_failed';
  if (error.status === undefined && error.code === 'ECONNREFUSED') return 'submit_failed';
  return 'submit_unknown';
}

/**
 * The single mapping from a failed submitClip (its ApplicationFailure type) to the clip's status.
 * Types that name a job status keep it (rate_limited, invalid_argument, model_unavailable,
 * over_budget, submit_unknown); anything else — an error the activity did not classify — is
 * submit_failed.
 */
export function submitFailureStatus(type: string | undefined | null): JobStatus {
  const known: readonly string[] = [
    'rate_limited',
    'invalid_argument',
    'model_unavailable',
    'over_budget',
    'submit_unknown',
    'submit_failed',
  ];
  return type && known.includes(type) ? (type as JobStatus) : 'submit_failed';
}

/** Failure types of submitClip that Temporal must not retry (the same list goes into the retry policy). */
export const SUBMIT_NON_RETRYABLE_TYPES = [
  'rate_limited',
  'invalid_argument',
  'model_unavailable',
  'over_budget',
  'submit_unknown',
];

/** The status for a finished operation that carries an error. */
export function classifyOperationError(error: { code?: number; message?: string }): JobStatus {
  if (/INVALID_ARGUMENT/.test(error.message ?? '') || error.code === 3) return 'invalid_argument';
  return 'generation_failed';
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
