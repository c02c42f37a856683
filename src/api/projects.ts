/** What the API says about a run ("project"): its progress, its result, its clips. */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { BrollJob } from '../domain/broll';
import type { Progress } from '../domain/progress';
import { rootCause, runStatus } from '../cli/control';
import { brollQuery, progressQuery } from '../workflows/definitions';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export { RUN_ID as PROJECT_ID } from '../domain/ids';

export interface ProjectDetail {
  id: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, TERMINATED, … */
  execution: string;
  /** The run's status, agreeing with Temporal's (see runStatus). */
  status: string;
  /** Why it failed, in words (the root cause), while it waits for resume or once it has closed failed. */
  error: string | null;
  failedStage: string | null;
  awaitingResume: boolean;
  progress: Progress | null;
  broll: BrollJob[];
  result: Record<string, unknown> | null;
  /** Why a closed run failed (Temporal's failure message and its cause), in words. */
  failure: string | null;
}

/** Temporal execution statuses after which nothing changes. */
export function isClosed(execution: string): boolean {
  return execution !== 'RUNNING' && execution !== 'CONTINUED_AS_NEW' && execution !== 'UNSPECIFIED';
}

/** A failure's message and its causes', e.g. "Activity task failed: overlay brand/logo.png was not found". */
function failureText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: string; cause?: unknown } | undefined; e && parts.length < 4; e = e.cause as typeof e)
    if (e.message && !parts.includes(e.message)) parts.push(e.message);
  return parts.join(': ');
}

export async function describeProject(client: Client, id: string): Promise<ProjectDetail> {
  const handle = client.workflow.getHandle(id);
  let execution: string;
  try {
    execution = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${id}`);
    throw err;
  }
  // Queries need a worker; a closed run with none around still has its result.
  const [progress, broll] = await Promise.all([
    handle.query(progressQuery).catch(() => null),
    handle.query(brollQuery).catch(() => [] as BrollJob[]),
  ]);
  let result: Record<string, unknown> | null = null;
  let failure: string | null = null;
  let cause: string | null = null;
  if (execution === 'COMPLETED') result = (await handle.result()) as Record<string, unknown>;
  else if (isClosed(execution)) {
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err !== undefined) {
      failure = failureText(err);
      cause = rootCause(err).message;
    }
  }
  return {
    id,
    execution,
    status: runStatus(execution, progress),
    error: progress?.error ?? cause,
    failedStage: progress?.failedStage ?? null,
    awaitingResume: execution === 'RUNNING' && Boolean(progress?.awaitingResume),
    progress,
    broll,
    result,
    failure,
  };
}
