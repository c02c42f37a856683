/**
 * Replays committed histories against today's workflow code: a change that would break runs
 * already in flight (non-determinism) fails here. Refresh fixtures deliberately with
 * RECORD_HISTORIES=1 npx vitest run test/workflows, and only when old runs may break.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows, installTestRuntime } from '../helpers/temporal';

const dir = path.resolve(__dirname, '../histories');
let bundle: WorkflowBundle;

beforeAll(async () => {
  installTestRuntime();
  bundle = await bundleWorkflows();
});

describe('replay of committed histories', async () => {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();

  it('has fixtures to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const fixture = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
      workflowId: string;
      history: unknown;
    };
    const history = historyFromJSON(fixture.history);
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, history, fixture.workflowId),
    ).resolves.toBeUndefined();
  });
});
