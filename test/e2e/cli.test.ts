/** The `reelflow` CLI run as a process against the test server (stand-in activities: this tests the CLI, not the stages). */
import type { WorkflowBundle } from '@temporalio/worker';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crash, standInActivities, THREE_PROMPTS } from '../helpers/standInActivities';
import { eventually, withStandInWorker } from '../helpers/workflows';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal } from '../helpers/temporal';

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
    const { started, status } = await withStandInWorker(temporal, bundle, standInActivities(), async (taskQueue) => {
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

  it('lists runs by kind and status, resumes a failed run, and prints JSON on request', async () => {
    const standIns = standInActivities({ prompts: [] });
    standIns.failNext.renderSegments = [crash('encoder crashed')];
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const started = await reelflow(['reel', '/media/talk.mp4', '--json'], { TEMPORAL_TASK_QUEUE: taskQueue });
      expect(started.code, started.stderr).toBe(0);
      const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
      const failed = await eventually(
        async () =>
          JSON.parse((await reelflow(['list', '--kind', 'reel', '--status', 'failed', '--json'])).stdout) as {
            workflowId: string;
            stage: string;
          }[],
        (runs) => runs.some((r) => r.workflowId === workflowId),
      );
      expect(failed.find((r) => r.workflowId === workflowId)?.stage).toBe('FFMPEG_ENGINEER');
      const status = JSON.parse((await reelflow(['status', workflowId, '--json'])).stdout) as {
        status: string;
        error: string;
      };
      expect(status).toMatchObject({ status: 'FAILED', error: 'FFMPEG_ENGINEER: encoder crashed' });

      const resumed = await reelflow(['resume', workflowId]);
      expect(resumed.stdout.trim()).toBe(`resume sent to ${workflowId}`);
      // watch (not a terminal here) prints plain views until the run ends.
      const watched = await reelflow(['watch', workflowId]);
      expect(watched.code).toBe(0);
      expect(watched.stdout).toContain(`${workflowId}  reel  COMPLETED`);
      const completed = await eventually(
        async () =>
          JSON.parse((await reelflow(['list', '--kind', 'reel', '--status', 'COMPLETED', '--json'])).stdout) as {
            workflowId: string;
          }[],
        (runs) => runs.some((r) => r.workflowId === workflowId),
      );
      expect(completed.map((r) => r.workflowId)).toContain(workflowId);
    });
  });

  it('cancels B-roll with `broll cancel`, and the run goes on', async () => {
    const standIns = standInActivities({
      prompts: THREE_PROMPTS,
      clips: { intro: { outcome: 'hang' }, broll: { outcome: 'hang' }, outro: { outcome: 'hang' } },
    });
    standIns.holdRender = true;
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const { workflowId } = JSON.parse(
        (await reelflow(['reel', '/media/talk.mp4', '--json'], { TEMPORAL_TASK_QUEUE: taskQueue })).stdout,
      ) as { workflowId: string };
      await eventually(
        () => temporal.client.workflow.getHandle(`${workflowId}-broll`).describe(),
        () => true,
      );
      const cancel = await reelflow(['broll', 'cancel', workflowId, '--json']);
      expect(JSON.parse(cancel.stdout)).toEqual({ workflowId, signal: 'cancelBroll' });
      standIns.releaseRender();
      const watched = JSON.parse(
        (await reelflow(['watch', workflowId, '--json'])).stdout.trim().split('\n').at(-1)!,
      ) as { progress: { status: string }; broll: { status: string }[] };
      expect(watched.progress.status).toBe('COMPLETED');
      expect(watched.broll.map((job) => job.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    });
  });

  it('rejects bad options with the option named', async () => {
    expect((await reelflow(['list', '--kind', 'podcast'])).stderr).toMatch(/^reelflow: kind: /);
    expect((await reelflow(['generate', 'a fox', '--clip-duration', 'five'])).stderr).toMatch(
      /^reelflow: --clip-duration: must be a number/,
    );
    expect((await reelflow(['generate', 'a fox', '--clip-duration', '5'])).stderr).toMatch(
      /^reelflow: invalid video request: clipDurationS/,
    );
    expect((await reelflow(['reel', 'talk.mp4', '--clips', '2.5'])).stderr).toMatch(
      /^reelflow: invalid reel request: clips: /,
    );
    expect((await reelflow(['reel', 'talk.mp4', '--duration', '300'])).stderr).toMatch(
      /^reelflow: invalid reel request: durationS: /,
    );
    expect((await reelflow(['broll', 'retry', 'reel-nope-000000'])).stderr.trim()).toBe(
      'reelflow: no run with id reel-nope-000000',
    );
  });

  it('dev reuses a running Temporal, starts a worker, and stops cleanly on Ctrl-C', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-dev-'));
    const child = spawn(process.execPath, [BIN, 'dev'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: temporal.address,
        RUNS_DIR: path.join(dir, 'runs'),
        OUTPUT_DIR: path.join(dir, 'output'),
        API_PORT: '0',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await eventually(
      () => Promise.resolve(output),
      (text) => text.includes('Ready.'),
      60_000,
    );
    expect(output).toContain(`Using the Temporal server already running at ${temporal.address}`);
    expect(output).toContain('video reelflow-offline-veo');
    const api = /HTTP API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(api, output).toBeDefined();
    expect(((await (await fetch(`${api}/api/health`)).json()) as { status: string }).status).toBe('ok');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
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
