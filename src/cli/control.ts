/**
 * Controlling runs and telling their truth: the control Updates (resume, retryBroll, cancelBroll)
 * with their answers or refusals, a run's status as Temporal and the workflow agree on it, and the
 * root cause of a failure in words. The CLI and the API both call these.
 */
import type { Client } from '@temporalio/client';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { CancelBrollOutcome, ResumeOutcome, RetryBrollOutcome, RetryBrollRequest } from '../domain/control';
import { ControlName } from '../domain/control';
import type { Progress } from '../domain/progress';
import { cancelBrollUpdate, resumeUpdate, retryBrollUpdate } from '../workflows/definitions';
import { UsageError } from './usage';

/** The run refused the request (it makes no sense now); the message says why. HTTP 409. */
export class RejectedError extends Error {
  override name = 'RejectedError';
}

/** The run stopped at a stage and waits for `resume`; the message says why and how to resume. */
export class RunWaitingError extends Error {
  override name = 'RunWaitingError';
}

/** The run closed without a result; the message is the root cause and the stage. */
export class RunFailedError extends Error {
  override name = 'RunFailedError';
}

export interface ControlOutcomes {
  [ControlName.RESUME]: ResumeOutcome;
  [ControlName.RETRY_BROLL]: RetryBrollOutcome;
  [ControlName.CANCEL_BROLL]: CancelBrollOutcome;
}

/** Sends a control Update and returns the run's answer; a refusal is a RejectedError naming the reason. */
export async function controlRun<N extends ControlName>(
  client: Client,
  workflowId: string,
  name: N,
  request?: RetryBrollRequest,
): Promise<ControlOutcomes[N]> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (name === ControlName.RESUME) return (await handle.executeUpdate(resumeUpdate)) as ControlOutcomes[N];
    if (name === ControlName.RETRY_BROLL)
      return (await handle.executeUpdate(retryBrollUpdate, { args: [request ?? {}] })) as ControlOutcomes[N];
    return (await handle.executeUpdate(cancelBrollUpdate)) as ControlOutcomes[N];
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new RejectedError(`${name} refused: ${rootCause(err).message}`);
    // An Update to a closed run fails before any validator runs (the SDK calls it "not found"):
    // say how the run ended instead.
    const execution = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.status.name)
      .catch(() => undefined);
    if (execution === undefined) throw new UsageError(`no run with id ${workflowId}`);
    if (execution !== 'RUNNING') throw new RejectedError(`${name} refused: the run has closed (${execution})`);
    throw err;
  }
}

/**
 * One status for a run that agrees with Temporal: an open run says what the workflow reports
 * (RUNNING, or FAILED while it waits for `resume`); a closed run says how Temporal closed it.
 */
export function runStatus(execution: string, progress: Pick<Progress, 'status'> | null): string {
  return execution === 'RUNNING' ? (progress?.status ?? 'RUNNING') : execution;
}

/** The innermost cause of a failure chain (WorkflowFailedError → ActivityFailure → ApplicationFailure). */
export function rootCause(err: unknown): { message: string; type?: string } {
  let current = err as { message?: string; cause?: unknown; type?: string | null };
  while (current?.cause && typeof current.cause === 'object') current = current.cause as typeof current;
  return { message: current?.message ?? String(err), ...(current?.type ? { type: current.type } : {}) };
}

/** A failed run's result as a RunFailedError that names the root cause (not "Workflow execution failed"). */
export function describeRunFailure(err: unknown, workflowId: string): Error {
  if (!(err instanceof WorkflowFailedError)) return err as Error;
  const { message, type } = rootCause(err);
  return new RunFailedError(`${workflowId} failed: ${message}${type ? ` (${type})` : ''}`);
}

/** What a person needs when a run stops at a stage: why, and the exact command that resumes it. */
export function waitingMessage(progress: Progress): string {
  return [
    `${progress.workflowId} is waiting for resume: ${progress.error ?? `stage ${progress.stage} failed`}`,
    `fix the cause, then run: reelflow resume ${progress.workflowId}`,
  ].join('\n');
}
