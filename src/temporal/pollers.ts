/** Whether a task queue has workers: the server's record of recent activity pollers. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** True when some worker has polled `taskQueue` for activities recently (the server keeps pollers for minutes). */
export async function hasActivityPollers(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (response.pollers ?? []).length > 0;
}
