/**
 * Control paths on a real Temporal server with stand-in activities: the resume/retryBroll/
 * cancelBroll Updates (answers and refusals), signals that are never latched, and the search
 * attributes and API status of every way a run can close.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowBundle } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app';
import { controlRun } from '../../src/cli/control';
import { testConfig } from '../helpers/config';
import { locateTemporalCli } from '../../src/dev/temporalCli';
import type { BrollJob } from '../../src/domain/broll';
import { ErrorType } from '../../src/domain/errors';
import type { Progress } from '../../src/domain/progress';
import {
  brollQuery,
  cancelBrollUpdate,
  PipelineStageKey,
  PipelineStatusKey,
  progressQuery,
  resumeSignal,
  resumeUpdate,
  retryBrollUpdate,
} from '../../src/workflows/definitions';
import type { StandIns, StandInOptions } from '../helpers/standInActivities';
import { crash, standInActivities, THREE_PROMPTS } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, listIds, withStandInWorker } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
});
afterAll(() => temporal?.close());

/** Starts a stand-in reel; `during` gets the handle while the worker runs. */
async function withReel<T>(
  options: StandInOptions,
  setup: (standIns: StandIns) => void,
  during: (handle: WorkflowHandle, standIns: StandIns) => Promise<T>,
  input: unknown = { source: '/media/episode.mp4' },
): Promise<T> {
  const standIns = standInActivities(options);
  setup(standIns);
  return withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
    const handle = await temporal.client.workflow.start('reelPipeline', {
      taskQueue,
      workflowId: uniqueName('reel-control'),
      args: [input],
    });
    return during(handle, standIns);
  });
}

const progressOf = (handle: WorkflowHandle) => handle.query(progressQuery);
const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
};

describe('resume', () => {
  it('is refused while the run is healthy, a signal then is ignored (not latched), and it resumes a waiting run', async () => {
    const cli = (await locateTemporalCli())!.path;
    await withReel(
      { prompts: [] },
      (s) => {
        s.holdRender = true;
        s.failNext.assembleReel = [crash('muxer crashed')];
      },
      async (handle, s) => {
        await eventually(
          () => progressOf(handle),
          (p) => p.stage === 'FFMPEG_ENGINEER',
        );
        // A healthy run: the Update is refused with the reason, from the SDK and from the temporal CLI.
        expect(await refusal(handle.executeUpdate(resumeUpdate))).toMatch(
          /not waiting for resume: stage FFMPEG_ENGINEER is running/,
        );
        const cliRun = await promisify(execFile)(
          cli,
          ['workflow', 'update', 'execute', '--name', 'resume', '--workflow-id', handle.workflowId],
          { env: { ...process.env, TEMPORAL_ADDRESS: temporal.address } },
        ).then(
          () => ({ code: 0, stderr: '' }),
          (err: { code: number; stderr: string }) => err,
        );
        expect(cliRun.code).not.toBe(0);
        expect(cliRun.stderr).toMatch(/not waiting for resume/);
        // The signal form at the wrong time is recorded as ignored...
        await handle.signal(resumeSignal);
        await eventually(
          () => progressOf(handle),
          (p) => p.events.some((e) => e.type === 'pipeline.resume.ignored'),
        );
        s.releaseRender();
        // ...so when ASSEMBLY fails, the run waits for a person instead of rerunning at once.
        const waiting = await eventually(
          () => progressOf(handle),
          (p) => p.awaitingResume === true,
        );
        expect(waiting).toMatchObject({ stage: 'ASSEMBLY', status: 'FAILED', failedStage: 'ASSEMBLY' });
        expect(waiting.error).toBe('ASSEMBLY: muxer crashed');
        expect(s.calls.assembleReel).toBe(1);

        // As a person would: the temporal CLI's Update resumes the waiting run and prints its answer.
        const resumed = await promisify(execFile)(
          cli,
          ['workflow', 'update', 'execute', '--name', 'resume', '--workflow-id', handle.workflowId, '-o', 'json'],
          { env: { ...process.env, TEMPORAL_ADDRESS: temporal.address } },
        );
        expect(JSON.parse(resumed.stdout)).toMatchObject({ result: { stage: 'ASSEMBLY', attempt: 2 } });
        await handle.result();
        expect(s.calls.assembleReel).toBe(2);
        await expect(controlRun(temporal.client, handle.workflowId, 'resume')).rejects.toThrow(
          /resume refused: the run has closed \(COMPLETED\)/,
        );
      },
    );
  });
});

describe('B-roll Updates', () => {
  it('retryBroll answers which clips it resubmitted, and is refused with nothing to retry or once the gate closed', async () => {
    const { before, outcome, jobs, closedRefusal } = await withReel(
      { prompts: THREE_PROMPTS, clips: { broll: { submits: ['invalid_argument', 'ok'] } } },
      (s) => (s.holdRender = true),
      async (handle, s) => {
        await eventually(
          () => handle.query(brollQuery),
          (rows) =>
            rows.length === 3 &&
            rows.filter((r) => r.status === 'done').length === 2 &&
            rows.some((r) => r.status === 'invalid_argument'),
        );
        const before = await refusal(handle.executeUpdate(retryBrollUpdate, { args: [{ keys: ['nope'] }] }));
        const outcome = await handle.executeUpdate(retryBrollUpdate, { args: [{}] });
        await eventually(
          () => handle.query(brollQuery),
          (rows) => rows.every((r) => r.status === 'done'),
        );
        s.releaseRender();
        await handle.result();
        const closedRefusal = await controlRun(temporal.client, handle.workflowId, 'retryBroll').catch((e: unknown) =>
          String(e),
        );
        return { before, outcome, jobs: await handle.query(brollQuery), closedRefusal };
      },
    );
    expect(before).toMatch(/no such clip: nope/);
    expect(outcome.resubmitted).toEqual([expect.stringMatching(/_broll$/)]);
    expect(outcome.repolled).toEqual([]);
    expect(jobs.map((j: BrollJob) => j.status)).toEqual(['done', 'done', 'done']);
    // A closed run refuses every Update (Temporal answers before any validator); we say how it closed.
    expect(closedRefusal).toMatch(/retryBroll refused: the run has closed \(COMPLETED\)/);
  });

  it('cancelBroll answers with the clips the run goes on with and the ones it stopped', async () => {
    const { outcome, assembled, second } = await withReel(
      { prompts: THREE_PROMPTS, clips: { broll: { outcome: 'hang' }, outro: { outcome: 'hang' } } },
      (s) => (s.holdRender = true),
      async (handle, s) => {
        await eventually(
          () => handle.query(brollQuery),
          (rows) => rows.some((r) => r.status === 'done') && rows.filter((r) => r.status === 'submitted').length === 2,
        );
        const outcome = await handle.executeUpdate(cancelBrollUpdate);
        const second = await refusal(handle.executeUpdate(cancelBrollUpdate));
        s.releaseRender();
        await handle.result();
        return { outcome, assembled: s.assembledClips[0], second };
      },
    );
    expect(outcome.used.map((c) => c.key)).toEqual([expect.stringMatching(/_intro$/)]);
    expect(outcome.stopped).toEqual([expect.stringMatching(/_broll$/), expect.stringMatching(/_outro$/)]);
    expect(assembled?.map((c) => c.key)).toEqual(outcome.used.map((c) => c.key));
    expect(second).toMatch(/closed|already/);
  });

  it('refuses both when the run has no B-roll generation', async () => {
    await withReel(
      { prompts: [] },
      (s) => (s.holdRender = true),
      async (handle, s) => {
        await eventually(
          () => progressOf(handle),
          (p) => p.stage === 'FFMPEG_ENGINEER',
        );
        expect(await refusal(handle.executeUpdate(cancelBrollUpdate))).toMatch(/no B-roll generation/);
        expect(await refusal(handle.executeUpdate(retryBrollUpdate, { args: [{}] }))).toMatch(/no B-roll generation/);
        s.releaseRender();
        await handle.result();
      },
    );
  });
});

describe('every closed run tells the truth', () => {
  const attributes = async (handle: WorkflowHandle) => {
    const { typedSearchAttributes, status } = await handle.describe();
    return {
      stage: typedSearchAttributes.get(PipelineStageKey),
      status: typedSearchAttributes.get(PipelineStatusKey),
      execution: status.name,
    };
  };
  const apiStatus = async (client: Client, id: string) => {
    const app = buildApp({ client, config: testConfig('/tmp/reelflow-control') });
    const reply = await app.inject({ method: 'GET', url: `/api/projects/${id}/status` });
    await app.close();
    return reply.json() as { status: string; execution: string; error: string | null; failedStage: string | null };
  };
  const settle = (handle: WorkflowHandle) => handle.result().catch(() => undefined);

  it('completed, failed on the input at a stage, failed validation, cancelled and terminated', async () => {
    const closed: Record<
      string,
      { attrs: Awaited<ReturnType<typeof attributes>>; api: Awaited<ReturnType<typeof apiStatus>> }
    > = {};
    const record = async (name: string, handle: WorkflowHandle) => {
      await settle(handle);
      closed[name] = { attrs: await attributes(handle), api: await apiStatus(temporal.client, handle.workflowId) };
    };
    await withReel(
      { prompts: [] },
      () => {},
      (handle) => record('completed', handle),
    );
    await withReel(
      { prompts: [] },
      (s) => {
        s.failNext.router = [
          ApplicationFailure.create({
            type: ErrorType.MEDIA_NOT_FOUND,
            message: 'source video not found: /x.mp4',
            nonRetryable: true,
          }),
        ];
      },
      (handle) => record('input', handle),
    );
    // As typed into the Temporal UI: no search attributes given at start, a number for the source.
    let invalidId = '';
    await withReel(
      { prompts: [] },
      () => {},
      (handle) => {
        invalidId = handle.workflowId;
        return record('invalid', handle);
      },
      { source: 42 },
    );
    // Closed by Temporal while FFMPEG_ENGINEER renders.
    for (const [name, close] of [
      ['cancelled', (handle: WorkflowHandle) => handle.cancel()],
      ['terminated', (handle: WorkflowHandle) => handle.terminate('test')],
    ] as const) {
      await withReel(
        { prompts: [] },
        (s) => (s.holdRender = true),
        async (handle, s) => {
          await eventually(
            () => progressOf(handle),
            (p: Progress) => p.stage === 'FFMPEG_ENGINEER',
          );
          await close(handle);
          s.releaseRender(); // the worker waits for its activities before it shuts down
          await record(name, handle);
        },
      );
    }

    expect(closed.completed).toMatchObject({
      attrs: { stage: 'COMPLETED', status: 'COMPLETED', execution: 'COMPLETED' },
      api: { status: 'COMPLETED', error: null },
    });
    expect(closed.input).toMatchObject({
      attrs: { stage: 'FAILED', status: 'FAILED', execution: 'FAILED' },
      api: { status: 'FAILED', error: expect.stringMatching(/source video not found: \/x\.mp4/) },
    });
    expect(closed.invalid).toMatchObject({
      attrs: { stage: 'FAILED', status: 'FAILED', execution: 'FAILED' },
      api: {
        status: 'FAILED',
        error: expect.stringMatching(/source: Invalid input: expected string, received number/),
      },
    });
    expect(closed.cancelled).toMatchObject({
      attrs: { stage: 'CANCELLED', status: 'CANCELLED', execution: 'CANCELLED' },
      api: { status: 'CANCELLED' },
    });
    // No workflow code runs on terminate: the attributes keep the last stage, and status says what Temporal did.
    expect(closed.terminated).toMatchObject({ attrs: { execution: 'TERMINATED' }, api: { status: 'TERMINATED' } });
    // A run with a bad input is found by the search attributes like any other failed run.
    const found = await eventually(
      () =>
        listIds(temporal.client, `WorkflowId = '${invalidId}' AND PipelineKind = 'reel' AND PipelineStatus = 'FAILED'`),
      (ids) => ids.length === 1,
    );
    expect(found).toEqual([invalidId]);
  });
});
