/** Helpers for workflow tests: a worker per test on a unique queue, polling, visibility. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { locateTemporalCli } from '../../src/dev/temporalCli';
import type { WorkflowBundle } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { Progress } from '../../src/domain/progress';
import { progressQuery } from '../../src/workflows/definitions';
import type { StandInOptions, StandIns } from './standInActivities';
import { standInActivities } from './standInActivities';
import type { ReelResult } from '../../src/domain/reel';
import { brollQuery } from '../../src/workflows/definitions';
import type { TestTemporal } from './temporal';
import { uniqueName } from './temporal';

export async function withStandInWorker<T>(
  temporal: TestTemporal,
  bundle: WorkflowBundle,
  standIns: StandIns,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueName('wf');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: standIns.activities,
  });
  return worker.runUntil(fn(taskQueue));
}

/** Polls until `check` passes or the deadline is reached (visibility and signals are asynchronous). */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  // Generous: it returns as soon as the check passes; a short deadline would race a busy machine.
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined as T);
    if ((value !== undefined && check(value)) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function progressOf(handle: WorkflowHandle): Promise<Progress> {
  return handle.query(progressQuery);
}

export async function listIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

/** Event types of a workflow's history, e.g. to count activities or timers. */
export async function historyEventTypes(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((event) => String(event.eventType));
}

/**
 * Set RECORD_HISTORIES=1 to refresh the replay fixtures in test/histories from a run (and its
 * children, named `<id>-<child>`). The temporal CLI writes the history as the same JSON the Web UI
 * downloads; the workflow id is stored with it because replay needs it.
 */
export async function maybeRecordHistory(
  address: string,
  workflowId: string,
  name: string,
  children: string[] = [],
): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const cli = await locateTemporalCli();
  for (const [id, file] of [
    [workflowId, name],
    ...children.map((child) => [`${workflowId}-${child}`, `${name}-${child}`]),
  ]) {
    const { stdout } = await promisify(execFile)(
      cli!.path,
      ['workflow', 'show', '--workflow-id', id!, '--address', address, '--output', 'json'],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    await writeFile(
      path.resolve(__dirname, '../histories', `${file}.json`),
      JSON.stringify({ workflowId: id, history: JSON.parse(stdout) }),
    );
  }
}

/**
 * Runs a reel of `/media/episode.mp4` with stand-in activities on a worker of its own; `during` gets
 * the handle while the run is going. Returns the result, the B-roll jobs, the progress and the
 * stand-ins' record of what they were asked to do.
 */
export async function runStandInReel(
  temporal: TestTemporal,
  bundle: WorkflowBundle,
  options: StandInOptions,
  during?: (handle: WorkflowHandle, standIns: StandIns) => Promise<void>,
  hold = false,
) {
  const standIns = standInActivities(options);
  standIns.holdRender = hold;
  const workflowId = uniqueName('reel-broll');
  return withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
    const handle = await temporal.client.workflow.start('reelPipeline', {
      taskQueue,
      workflowId,
      args: [{ source: '/media/episode.mp4' }],
    });
    await during?.(handle, standIns);
    const result = (await handle.result()) as ReelResult;
    const jobs = await handle.query(brollQuery);
    const progress = await progressOf(handle);
    const types = standIns.events.map((e) => e.type);
    return { result, jobs, progress, types, standIns, workflowId };
  });
}
