/**
 * Which project folders serve a task queue. Workers name their runs folder in their identity, so a
 * second `reelflow dev`/demo started in another folder against the same Temporal can see that the
 * queue is someone else's and refuse, instead of taking the other project's tasks (its files would
 * land in the wrong folder).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import os from 'node:os';

const FOLDER_MARK = ' folder=';

/** The identity a worker of this project shows in Temporal: the SDK's default plus its runs folder. */
export function workerIdentity(runsDir: string): string {
  return `${process.pid}@${os.hostname()}${FOLDER_MARK}${runsDir}`;
}

/** A poller older than this is a worker that stopped (the server remembers pollers for minutes). */
const RECENT_POLL_MS = 90_000;

/** Runs folders of the reelflow workers that polled `taskQueue` recently (workflows or activities). */
export async function foldersServing(client: Client, namespace: string, taskQueue: string): Promise<string[]> {
  const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
  const folders = new Set<string>();
  for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    for (const poller of pollers ?? []) {
      const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
      if (Date.now() - seconds * 1000 > RECENT_POLL_MS) continue;
      const at = poller.identity?.indexOf(FOLDER_MARK) ?? -1;
      if (at >= 0) folders.add(poller.identity!.slice(at + FOLDER_MARK.length));
    }
  }
  return [...folders];
}

/** Refuses to serve `taskQueue` from `runsDir` while a worker of another project folder serves it. */
export async function assertQueueIsOurs(
  client: Client,
  settings: { namespace: string; taskQueue: string },
  runsDir: string,
): Promise<void> {
  const others = (await foldersServing(client, settings.namespace, settings.taskQueue)).filter((f) => f !== runsDir);
  if (others.length === 0) return;
  throw new Error(
    `another reelflow is serving task queue "${settings.taskQueue}" on this Temporal with its runs in ${others.join(', ')}; ` +
      `its runs would mix with this folder's (${runsDir}). Stop it (a worker stopped less than ${RECENT_POLL_MS / 1000} s ago still counts), ` +
      `or give this folder its own queue: ` +
      `TEMPORAL_TASK_QUEUE=reelflow-<name> (use the same value for the CLI and the API here).`,
  );
}
