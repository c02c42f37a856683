/**
 * Safe reuse of a dev Temporal: a reelflow started in another folder refuses a task queue that a
 * worker of this folder serves, and says why; the same folder is accepted.
 */
import { Worker } from '@temporalio/worker';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertQueueIsOurs, foldersServing, workerIdentity } from '../../src/temporal/projectFolders';
import type { TestTemporal } from '../helpers/temporal';
import { connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually } from '../helpers/workflows';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => {
  await temporal?.close();
});

describe('project folders on a shared dev Temporal', () => {
  it('refuses a queue served from another folder, naming it, and accepts its own', async () => {
    const taskQueue = uniqueName('folders');
    const settings = { namespace: 'default', taskQueue };
    const mine = path.resolve('/projects/first/runs');
    // Nobody serves the queue yet: anyone may take it.
    await expect(assertQueueIsOurs(temporal.client, settings, '/projects/second/runs')).resolves.toBeUndefined();

    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      activities: { noop: () => Promise.resolve() },
      identity: workerIdentity(mine),
    });
    await worker.runUntil(async () => {
      // The server learns of a poller when it polls: wait for that, not for a guessed delay.
      const folders = await eventually(
        () => foldersServing(temporal.client, 'default', taskQueue),
        (found) => found.length > 0,
      );
      expect(folders).toEqual([mine]);
      await expect(assertQueueIsOurs(temporal.client, settings, '/projects/second/runs')).rejects.toThrow(
        new RegExp(`task queue "${taskQueue}".*${mine}.*stopped less than 90 s ago still counts.*TEMPORAL_TASK_QUEUE`),
      );
      await expect(assertQueueIsOurs(temporal.client, settings, mine)).resolves.toBeUndefined();
    });
  });
});
