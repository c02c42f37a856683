/** The B-roll child workflow and the VEO3_AWAIT gate on a real Temporal server, with stand-in activities. */
import type { WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateTemporalCli } from '../../src/dev/temporalCli';
import type { BrollJob } from '../../src/domain/broll';
import { brollQuery, cancelBrollSignal, retryBrollSignal } from '../../src/workflows/definitions';
import type { StandInOptions, StandIns } from '../helpers/standInActivities';
import { THREE_PROMPTS } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal } from '../helpers/temporal';
import { eventually, runStandInReel } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
});
afterAll(() => temporal?.close());

const statuses = (jobs: BrollJob[]) => Object.fromEntries(jobs.map((job) => [job.variant, job.status]));

/** Runs a reel with stand-ins; `during` gets the handle while the run is going. */
const runReel = (
  options: StandInOptions,
  during?: (handle: WorkflowHandle, standIns: StandIns) => Promise<void>,
  hold = false,
) => runStandInReel(temporal, bundle, options, during, hold);

describe('B-roll gate', () => {
  it('gives ASSEMBLY every clip when all succeed, with the gate events recorded', async () => {
    const { result, jobs, types, standIns, progress } = await runReel({ prompts: THREE_PROMPTS });
    expect(statuses(jobs)).toEqual({ intro: 'done', broll: 'done', outro: 'done' });
    expect(standIns.assembledClips[0]!.map((clip) => clip.narrativeAnchor)).toEqual([
      'welcome back',
      'the memory dies',
      'thank you',
    ]);
    expect(result.broll).toEqual({ requested: 3, generated: 3, placed: 3 });
    expect(types).toContain('veo3.gate.started');
    const completed = standIns.events.find((e) => e.type === 'veo3.gate.completed');
    expect(completed?.data).toMatchObject({ clips: 3, reason: 'finished' });
    expect(progress.events.map((e) => e.type)).toContain('veo3.gate.completed');
    expect(progress.broll).toEqual({ done: 3 });
    // Submitted in parallel with their idempotent keys, each exactly once.
    expect([...standIns.submissions].sort()).toEqual(jobs.map((job) => job.idempotent_key).sort());
    expect(jobs.every((job) => job.attempts === 1)).toBe(true);
  });

  it('uses only the first VEO3_CLIP_COUNT prompts', async () => {
    const { jobs, standIns } = await runReel({ prompts: THREE_PROMPTS, broll: { clipCount: 2 } });
    expect(jobs.map((job) => job.variant)).toEqual(['intro', 'broll']);
    expect(standIns.submissions).toHaveLength(2);
  });

  it('assembles with the clips that exist when some fail', async () => {
    const { jobs, standIns, types } = await runReel({
      prompts: THREE_PROMPTS,
      clips: { intro: { outcome: 'rai_filtered' }, outro: { submits: ['invalid_argument'] } },
    });
    expect(statuses(jobs)).toEqual({ intro: 'rai_filtered', broll: 'done', outro: 'invalid_argument' });
    expect(standIns.assembledClips[0]!.map((clip) => clip.key)).toEqual([jobs[1]!.idempotent_key]);
    expect(types).not.toContain('veo3.gate.retried');
  });

  it('does not retry when every clip failed permanently, and the run still completes', async () => {
    const { jobs, standIns, types, progress } = await runReel({
      prompts: THREE_PROMPTS,
      clips: {
        intro: { outcome: 'generation_failed' },
        broll: { outcome: 'invalid_clip' },
        outro: { outcome: 'download_failed' },
      },
    });
    expect(statuses(jobs)).toEqual({ intro: 'generation_failed', broll: 'invalid_clip', outro: 'download_failed' });
    expect(standIns.assembledClips[0]).toEqual([]);
    expect(types).not.toContain('veo3.gate.retried');
    expect(progress.status).toBe('COMPLETED');
  });

  it('retries once when every clip failed retriably, and proceeds without B-roll when the retry fails too', async () => {
    const { jobs, standIns, types, progress } = await runReel({
      prompts: THREE_PROMPTS,
      clips: {
        intro: { submits: ['rate_limited'] },
        broll: { submits: ['rate_limited'] },
        outro: { submits: ['submit_failed'] },
      },
    });
    expect(statuses(jobs)).toEqual({ intro: 'rate_limited', broll: 'rate_limited', outro: 'submit_failed' });
    expect(types.filter((t) => t === 'veo3.gate.retried')).toHaveLength(1);
    expect(standIns.submissions).toHaveLength(6);
    expect(jobs.every((job) => job.attempts === 2)).toBe(true);
    expect(standIns.assembledClips[0]).toEqual([]);
    expect(progress.status).toBe('COMPLETED');
  });

  it('gets every clip when the gate’s single retry succeeds', async () => {
    const { jobs, standIns, types } = await runReel({
      prompts: THREE_PROMPTS,
      clips: {
        intro: { submits: ['rate_limited', 'ok'] },
        broll: { submits: ['rate_limited', 'ok'] },
        outro: { submits: ['rate_limited', 'ok'] },
      },
    });
    expect(types.filter((t) => t === 'veo3.gate.retried')).toHaveLength(1);
    expect(statuses(jobs)).toEqual({ intro: 'done', broll: 'done', outro: 'done' });
    // A resubmission carries its own key, so the provider makes a new job.
    expect(standIns.submissions.filter((key) => key.endsWith('_r2'))).toHaveLength(3);
    expect(standIns.assembledClips[0]).toHaveLength(3);
  });

  it('times out: unfinished clips become timed_out and ASSEMBLY gets the rest', async () => {
    const { jobs, standIns, types } = await runReel(
      { prompts: THREE_PROMPTS, broll: { timeoutS: 2 }, clips: { broll: { outcome: 'hang' } } },
      async (handle, s) => {
        // The gate's 2 s start only once the two good clips are in, however slow the machine is.
        await eventually(
          () => handle.query(brollQuery),
          (table) => table.filter((job) => job.status === 'done').length === 2,
        );
        s.releaseRender();
      },
      true,
    );
    expect(statuses(jobs)).toEqual({ intro: 'done', broll: 'timed_out', outro: 'done' });
    expect(types).toContain('veo3.gate.timeout');
    expect(standIns.assembledClips[0]).toHaveLength(2);
  });

  it('is a no-op with no prompts: no child workflow, no B-roll activity', async () => {
    const { standIns, workflowId, result } = await runReel({ prompts: [] });
    expect(standIns.calls.submitClip).toBeUndefined();
    expect(standIns.calls.recordBrollJobs).toBeUndefined();
    expect(standIns.assembledClips[0]).toEqual([]);
    expect(result.broll).toEqual({ requested: 0, generated: 0, placed: 0 });
    await expect(temporal.client.workflow.getHandle(`${workflowId}-broll`).describe()).rejects.toThrow();
  });

  it('cancelBroll stops generation and the gate goes on with what exists', async () => {
    const { jobs, standIns } = await runReel(
      { prompts: THREE_PROMPTS, clips: { broll: { outcome: 'hang' }, outro: { outcome: 'hang' } } },
      async (handle, s) => {
        await eventually(
          () => handle.query(brollQuery),
          (rows) => rows.some((row) => row.status === 'done'),
        );
        await handle.signal(cancelBrollSignal);
        s.releaseRender();
      },
      true,
    );
    expect(statuses(jobs)).toEqual({ intro: 'done', broll: 'cancelled', outro: 'cancelled' });
    expect(standIns.assembledClips[0]).toHaveLength(1);
  });

  it('retryBroll resubmits the failed clips now, before the gate', async () => {
    const { jobs, standIns, types } = await runReel(
      { prompts: THREE_PROMPTS, clips: { outro: { submits: ['rate_limited', 'ok'] } } },
      async (handle, s) => {
        await eventually(
          () => handle.query(brollQuery),
          (rows) => rows.find((row) => row.variant === 'outro')?.status === 'rate_limited',
        );
        await handle.signal(retryBrollSignal);
        await eventually(
          () => handle.query(brollQuery),
          (rows) => rows.every((row) => row.status === 'done'),
        );
        s.releaseRender();
      },
      true,
    );
    expect(statuses(jobs)).toEqual({ intro: 'done', broll: 'done', outro: 'done' });
    expect(jobs.find((job) => job.variant === 'outro')?.attempts).toBe(2);
    expect(standIns.assembledClips[0]).toHaveLength(3);
    expect(types).not.toContain('veo3.gate.retried');
  });

  it('answers signals and queries from the temporal CLI', async () => {
    const cli = (await locateTemporalCli())!.path;
    const run = promisify(execFile);
    const { jobs } = await runReel(
      {
        prompts: THREE_PROMPTS,
        clips: { intro: { outcome: 'hang' }, broll: { outcome: 'hang' }, outro: { outcome: 'hang' } },
      },
      async (handle, s) => {
        const address = ['--address', temporal.address];
        await eventually(
          () => handle.query(brollQuery),
          (rows) => rows.length === 3 && rows.every((row) => row.status === 'submitted'),
        );
        const { stdout } = await run(cli, [
          'workflow',
          'query',
          '--workflow-id',
          handle.workflowId,
          '--type',
          'broll',
          '--output',
          'json',
          ...address,
        ]);
        expect(stdout).toContain('"status": "submitted"');
        await run(cli, ['workflow', 'signal', '--workflow-id', handle.workflowId, '--name', 'cancelBroll', ...address]);
        s.releaseRender();
      },
      true,
    );
    expect(statuses(jobs)).toEqual({ intro: 'cancelled', broll: 'cancelled', outro: 'cancelled' });
  });
});
