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
]);

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
 * The status for a failed submission, from the provider's HTTP status and message. The message
 * of a Google API error is the JSON error body, where `INVALID_ARGUMENT` or `RESOURCE_EXHAUSTED`
 * appears as error.status.
 */
export function classifySubmitError(error: { status?: number; message: string }): JobStatus {
  if (/INVALID_ARGUMENT/.test(error.message) || error.status === 400) return 'invalid_argument';
  if (error.status === 429 || /RESOURCE_EXHAUSTED/.test(error.message)) return 'rate_limited';
  return 'submit_failed';
}

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
