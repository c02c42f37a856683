/**
 * Activity retries count as attempts in `status` and summary.md. Only the worker knows an activity's
 * attempt (the workflow sees one result however many times the activity ran), so the worker's
 * keep-alive interceptor (src/temporal/keepAlive.ts) adds it to a retried activity's result object.
 */

/** The field a retried activity's result carries: the attempt that produced it (2, 3, …). */
export const ACTIVITY_ATTEMPT_FIELD = 'activityAttempt';

/** Extra runs of the activity behind `result`: 0 for a first attempt or a result without the field. */
export function activityRetriesOf(result: unknown): number {
  if (!result || typeof result !== 'object') return 0;
  const attempt = (result as Record<string, unknown>)[ACTIVITY_ATTEMPT_FIELD];
  return typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 1 ? attempt - 1 : 0;
}

/** `result` with the attempt that produced it, when that was a retry and the result is a plain object. */
export function withActivityAttempt(result: unknown, attempt: number): unknown {
  if (attempt <= 1 || !result || typeof result !== 'object' || Array.isArray(result)) return result;
  if (Object.getPrototypeOf(result) !== Object.prototype) return result;
  return { ...result, [ACTIVITY_ATTEMPT_FIELD]: attempt };
}
