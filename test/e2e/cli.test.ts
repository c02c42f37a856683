/** The `reelflow` CLI run as a process against the test server (stand-in activities: this tests the CLI, not the stages). */
import { Worker } from '@temporalio/worker';
import type { WorkflowBundle } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInActivities } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';

const exec = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/reelflow.js');

let temporal: TestTemporal;
let bundle: WorkflowBundle;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
});
afterAll(() => temporal?.close());

async function reelflow(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('reelflow CLI', () => {
  it('starts a reel run, follows it with --wait, and reports its status', async () => {
    const taskQueue = uniqueName('cli');
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: standInActivities().activities,
    });
    const { started, status } = await worker.runUntil(async () => {
      const started = await reelflow(['reel', 'media/My Episode.mp4', '--wait'], { TEMPORAL_TASK_QUEUE: taskQueue });
      const id = started.stdout.split('\n')[0] ?? '';
      return { started, status: await reelflow(['status', id]) };
    });
    expect(started.code).toBe(0);
    const [id, reelPath] = started.stdout.trim().split('\n');
    expect(id).toMatch(/^reel-my-episode-[0-9a-f]{6}$/);
    expect(reelPath).toBe(`/stand-in/output/${id}/reel.mp4`);
    expect(started.stderr).toContain('✓ DELIVERY');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${id}  reel  COMPLETED`);
    expect(status.stdout).toMatch(/FFMPEG_ENGINEER\s+completed/);
  });

  it('says so when a run id is unknown', async () => {
    const result = await reelflow(['status', 'reel-does-not-exist-000000']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('reelflow: no run with id reel-does-not-exist-000000');
  });

  it('rejects an invalid request before contacting Temporal, naming the field', async () => {
    const result = await reelflow(['reel', '  '], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^reelflow: invalid reel request: source: /);
  });

  it('names the address it could not reach', async () => {
    const result = await reelflow(['status', 'reel-x-000000'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
  });
});
