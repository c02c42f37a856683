/** What the API says about a run ("project"): its progress, its result, its clips. */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { BrollJob } from '../domain/broll';
import type { Progress } from '../domain/progress';
import { brollQuery, progressQuery } from '../workflows/definitions';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** Ids name workspaces and workflows: letters, digits, '-', '_' and '.', nothing that climbs paths. */
export const PROJECT_ID = /^[A-Za-z0-9][\w.-]{0,199}$/;

export interface ProjectDetail {
  id: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, TERMINATED, … */
  execution: string;
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
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no project with id ${id}`);
    throw err;
  }
  // Queries need a worker; a closed run with none around still has its result.
  const [progress, broll] = await Promise.all([
    handle.query(progressQuery).catch(() => null),
    handle.query(brollQuery).catch(() => [] as BrollJob[]),
  ]);
  const result = execution === 'COMPLETED' ? ((await handle.result()) as Record<string, unknown>) : null;
  const failure =
    isClosed(execution) && execution !== 'COMPLETED' ? await handle.result().then(() => null, failureText) : null;
  return { id, execution, progress, broll, result, failure };
}
