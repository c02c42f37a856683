/**
 * Adaptive polling backoff for B-roll: start at `initialMs`, double after each quiet poll, cap at
 * `maxMs`, and go back to `initialMs` as soon as any job's status changes (things are moving, so
 * look again soon). Pure and deterministic, so it can run inside a workflow.
 */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

export function nextPollDelay(
  previousMs: number | undefined,
  statusChanged: boolean,
  settings: BackoffSettings,
): number {
  if (previousMs === undefined || statusChanged) return settings.initialMs;
  return Math.min(previousMs * 2, settings.maxMs);
}
