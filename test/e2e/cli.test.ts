/** The `reelflow` CLI run as a process against the test server (stand-in activities: this tests the CLI, not the stages). */
import type { WorkflowBundle } from '@temporalio/worker';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { listRuns } from '../../src/cli/runs';
import { brollQuery } from '../../src/workflows/definitions';
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
      timeout: 300_000,
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
      // Visibility lags a little: wait for the run in the list in-process (every CLI call is a Node
      // process paying seconds of CPU), then ask the CLI once.
      await eventually(
        () => listRuns(temporal.client, { kind: 'reel', status: 'FAILED', limit: 50 }),
        (runs) => runs.some((r) => r.workflowId === workflowId),
      );
      const failed = JSON.parse(
        (await reelflow(['list', '--kind', 'reel', '--status', 'failed', '--json'])).stdout,
      ) as { workflowId: string; stage: string }[];
      expect(failed.find((r) => r.workflowId === workflowId)?.stage).toBe('FFMPEG_ENGINEER');
      const status = JSON.parse((await reelflow(['status', workflowId, '--json'])).stdout) as {
        status: string;
        error: string;
      };
      expect(status).toMatchObject({ status: 'FAILED', error: 'FFMPEG_ENGINEER: encoder crashed' });

      const resumed = await reelflow(['resume', workflowId]);
      expect(resumed.stdout.trim()).toBe(`${workflowId}: resuming FFMPEG_ENGINEER (attempt 2)`);
      // watch (not a terminal here) prints plain views until the run ends.
      const watched = await reelflow(['watch', workflowId]);
      expect(watched.code).toBe(0);
      expect(watched.stdout).toContain(`${workflowId}  reel  COMPLETED`);
      await eventually(
        () => listRuns(temporal.client, { kind: 'reel', status: 'COMPLETED', limit: 50 }),
        (runs) => runs.some((r) => r.workflowId === workflowId),
      );
      const completed = JSON.parse(
        (await reelflow(['list', '--kind', 'reel', '--status', 'COMPLETED', '--json'])).stdout,
      ) as { workflowId: string }[];
      expect(completed.map((r) => r.workflowId)).toContain(workflowId);
      // Resuming a run that is not waiting is refused, saying why.
      const again = await reelflow(['resume', workflowId]);
      expect(again.code).not.toBe(0);
      expect(again.stderr.trim()).toBe(`reelflow: resume refused: the run has closed (COMPLETED)`);
    });
  });

  it('--wait stops when the run waits for resume, with the reason and the command that resumes it', async () => {
    const standIns = standInActivities({ prompts: [] });
    standIns.failNext.renderSegments = [crash('encoder crashed')];
    const waited = await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const waited = await reelflow(['reel', '/media/talk.mp4', '--wait'], { TEMPORAL_TASK_QUEUE: taskQueue });
      const id = waited.stdout.trim();
      await reelflow(['resume', id]);
      await temporal.client.workflow.getHandle(id).result();
      return { ...waited, id };
    });
    expect(waited.code).not.toBe(0);
    expect(waited.stderr).toContain(`reelflow: ${waited.id} is waiting for resume: FFMPEG_ENGINEER: encoder crashed`);
    expect(waited.stderr).toContain(`fix the cause, then run: reelflow resume ${waited.id}`);
  });

  it('--wait prints the root cause of a run that failed on its input, not "Workflow execution failed"', async () => {
    const standIns = standInActivities({ prompts: [] });
    standIns.failNext.router = [
      ApplicationFailure.create({
        type: 'MEDIA_INVALID',
        message: 'source video: no video stream',
        nonRetryable: true,
      }),
    ];
    const waited = await withStandInWorker(temporal, bundle, standIns, (taskQueue) =>
      reelflow(['reel', '/media/notes.txt', '--wait'], { TEMPORAL_TASK_QUEUE: taskQueue }),
    );
    expect(waited.code).not.toBe(0);
    expect(waited.stderr).toMatch(/failed: ROUTER failed: source video: no video stream \(MEDIA_INVALID\)/);
    expect(waited.stderr).not.toContain('Workflow execution failed');
  });

  it('resolves a relative path against the folder it was run from, also under npm run', async () => {
    const repo = path.resolve(__dirname, '../..');
    const sub = await mkdtemp(path.join(repo, 'test', '.cwd-'));
    try {
      const started = await withStandInWorker(
        temporal,
        bundle,
        standInActivities({ prompts: [] }),
        async (taskQueue) => {
          const run = await exec('npm', ['run', '--silent', 'reelflow', '--', 'reel', 'talk.mp4', '--json'], {
            cwd: sub,
            env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: taskQueue },
            timeout: 120_000,
          });
          const { workflowId } = JSON.parse(run.stdout) as { workflowId: string };
          const handle = temporal.client.workflow.getHandle(workflowId);
          await handle.result();
          const history = await handle.fetchHistory();
          const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
          return JSON.parse(Buffer.from(payload!).toString('utf8')) as { source: string };
        },
      );
      expect(started.source).toBe(path.join(sub, 'talk.mp4'));
    } finally {
      await rm(sub, { recursive: true, force: true });
    }
  });

  it('names a bad setting and its rule, and never prints a secret', async () => {
    const bad = await reelflow(['list'], { API_TOKEN: 'short-secret', VEO3_CLIP_COUNT: 'three' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('API_TOKEN: must be at least 16 characters');
    expect(bad.stderr).toContain('VEO3_CLIP_COUNT="three": must be a whole number from 0 to 16');
    expect(bad.stderr).not.toContain('short-secret');
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
      await eventually(
        async () => (await temporal.client.workflow.getHandle(workflowId).query(brollQuery)).length,
        (n) => n === 3,
      );
      const cancel = await reelflow(['broll', 'cancel', workflowId, '--json']);
      expect(JSON.parse(cancel.stdout)).toEqual({
        workflowId,
        used: [],
        stopped: ['intro', 'broll', 'outro'].map((v) => `${workflowId}_${v}`),
      });
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
      /^reelflow: invalid video request: --clip-duration: /,
    );
    expect((await reelflow(['reel', 'talk.mp4', '--clips', '2.5'])).stderr).toMatch(
      /^reelflow: invalid reel request: --clips: /,
    );
    expect((await reelflow(['reel', 'talk.mp4', '--duration', '300'])).stderr).toMatch(
      /^reelflow: invalid reel request: --duration: /,
    );
    expect((await reelflow(['broll', 'retry', 'reel-nope-000000'])).stderr.trim()).toBe(
      'reelflow: no run with id reel-nope-000000',
    );
  });

  // No WORKFLOW_BUNDLE_PATH here: this is the spawned worker that bundles src/workflows itself.
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
    try {
      await eventually(
        () => Promise.resolve(output),
        (text) => text.includes('Ready.'),
      );
      expect(output).toContain(`Using the Temporal server already running at ${temporal.address}`);
      expect(output).toContain('video reelflow-offline-veo');
      const api = /HTTP API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(api, output).toBeDefined();
      expect(((await (await fetch(`${api}/api/health`)).json()) as { status: string }).status).toBe('ok');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('Stopped.');
    } finally {
      // A failed check must not leave a worker polling the shared server for the rest of the run.
      if (child.exitCode === null) child.kill('SIGINT');
    }
  });

  it('says so when a run id is unknown', async () => {
    const result = await reelflow(['status', 'reel-does-not-exist-000000']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('reelflow: no run with id reel-does-not-exist-000000');
  });

  it('rejects an invalid request before contacting Temporal, naming the field', async () => {
    const result = await reelflow(['reel', '  '], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^reelflow: invalid reel request: <source>: /);
  });

  it('names the address it could not reach, and the command that starts a server', async () => {
    const result = await reelflow(['status', 'reel-x-000000'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    expect(result.stderr).toContain('npm run reelflow -- dev');
  });

  it('estimates name a source that is not there instead of pricing it', async () => {
    for (const kind of ['reel', 'clips']) {
      const result = await reelflow(['estimate', kind, 'no-such-talk.mp4']);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        `reelflow: source not found or not readable: ${path.resolve('no-such-talk.mp4')}`,
      );
      expect(result.stdout).toBe('');
    }
  });
});
