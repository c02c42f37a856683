/** reelPipeline's workflow logic on a real Temporal dev server, with stand-in activities. */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowBundle } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostQueues } from '../../src/domain/hosts';
import { hostQueuesOf } from '../../src/domain/hosts';
import type { Progress } from '../../src/domain/progress';
import type { ReelResult } from '../../src/domain/reel';
import { progressQuery, resumeUpdate } from '../../src/workflows/definitions';
import { REEL_STAGE_SEQUENCE } from '../../src/workflows/stages';
import type { StandIns } from '../helpers/standInActivities';
import { crash, standInActivities, THREE_PROMPTS } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, listIds, maybeRecordHistory, progressOf, withStandInWorker } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
});
afterAll(() => temporal?.close());

function withWorker<T>(standIns: StandIns, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  return withStandInWorker(temporal, bundle, standIns, fn);
}

describe('reelPipeline', () => {
  it('runs every stage in order, reports progress, and sets search attributes', async () => {
    const standIns = standInActivities({ prompts: THREE_PROMPTS });
    const workflowId = uniqueName('reel-order');
    const { result, progress } = await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4' }],
      });
      const result = (await handle.result()) as ReelResult;
      return { result, progress: await handle.query(progressQuery) };
    });
    expect(result).toMatchObject({
      workflowId,
      reelPath: `/stand-in/output/${workflowId}/reel.mp4`,
      durationS: 75,
      moment: { startS: 30, endS: 105 },
    });
    expect(progress.status).toBe('COMPLETED');
    expect(progress.stage).toBe('COMPLETED');
    expect(progress.stages.map((s) => s.stage)).toEqual([...REEL_STAGE_SEQUENCE]);
    for (const stage of progress.stages) {
      expect(stage.status).toBe('completed');
      expect(stage.attempts).toBe(1);
      expect(Date.parse(stage.startedAt)).not.toBeNaN();
      expect(stage.durationMs).toBeGreaterThanOrEqual(0);
    }
    // Every stage's start and end reached events.jsonl through appendEvents.
    const types = standIns.events.map((e) => `${e.type}:${e.stage}`);
    for (const stage of REEL_STAGE_SEQUENCE) {
      expect(types).toContain(`pipeline.stage.started:${stage}`);
      expect(types).toContain(`pipeline.stage.completed:${stage}`);
    }
    const found = await eventually(
      () =>
        listIds(
          temporal.client,
          `WorkflowId = '${workflowId}' AND PipelineKind = 'reel' AND PipelineStage = 'COMPLETED' AND PipelineStatus = 'COMPLETED'`,
        ),
      (ids) => ids.length > 0,
    );
    expect(found).toEqual([workflowId]);
    await maybeRecordHistory(temporal.address, workflowId, 'reel-completed', ['broll']);
  });

  it('fails at once, without running a stage, when the input is not a valid request', async () => {
    const standIns = standInActivities();
    const failure = await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId: uniqueName('reel-invalid'),
        args: [{ source: 42, durationS: 500, host: 'a host/with slashes' }],
      });
      return handle.result().catch((err: unknown) => err);
    });
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'INVALID_REQUEST', nonRetryable: true });
    expect(cause?.message).toMatch(/source: .*expected string/);
    expect(cause?.message).toMatch(/durationS: /);
    expect(cause?.message).toMatch(/host: must be 1–64 letters, digits, dots, dashes or underscores/);
    expect(standIns.calls).toEqual({});
  });

  it('fails the run (no waiting) when a stage rejects the input, naming the problem', async () => {
    const standIns = standInActivities();
    standIns.failNext.router = [
      ApplicationFailure.create({
        type: 'MEDIA_NOT_FOUND',
        message: 'source video not found: /x.mp4',
        nonRetryable: true,
      }),
    ];
    const { failure, progress } = await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId: uniqueName('reel-missing'),
        args: [{ source: '/x.mp4' }],
      });
      const failure = await handle.result().catch((err: unknown) => err);
      return { failure, progress: await handle.query(progressQuery) };
    });
    expect((failure as WorkflowFailedError).cause).toMatchObject({
      type: 'MEDIA_NOT_FOUND',
      message: expect.stringContaining('/x.mp4'),
    });
    expect(progress).toMatchObject({ status: 'FAILED', stage: 'FAILED' });
    expect(standIns.calls.research).toBeUndefined();
  });

  it('never fails or repeats a stage because events.jsonl could not be written; the events go out later', async () => {
    const standIns = standInActivities();
    standIns.failNext.appendEvents = [crash('disk full')];
    const progress = await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId: uniqueName('reel-events'),
        args: [{ source: '/media/episode.mp4' }],
      });
      await handle.result();
      return handle.query(progressQuery);
    });
    expect(progress.status).toBe('COMPLETED');
    expect(standIns.calls.router).toBe(1);
    const flushed = standIns.events.map((e) => `${e.type}:${e.stage}`);
    expect(flushed).toContain('pipeline.stage.started:ROUTER');
    expect(flushed).toContain('pipeline.stage.completed:ROUTER');
    expect(flushed.filter((e) => e === 'pipeline.stage.completed:ROUTER')).toHaveLength(1);
  });

  it('waits for resume after a stage fails, then reruns only that stage and what follows', async () => {
    const standIns = standInActivities({ prompts: THREE_PROMPTS });
    standIns.failNext.renderSegments = [crash('encoder crashed')];
    const workflowId = uniqueName('reel-resume');
    const { waiting, result, progress } = await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4' }],
      });
      const waiting = await eventually<Progress>(
        () => handle.query(progressQuery),
        (p) => p.awaitingResume === true,
      );
      const failedIds = await eventually(
        () => listIds(temporal.client, `WorkflowId = '${workflowId}' AND PipelineStatus = 'FAILED'`),
        (ids) => ids.length > 0,
      );
      expect(failedIds).toEqual([workflowId]);
      await handle.executeUpdate(resumeUpdate);
      const result = (await handle.result()) as ReelResult;
      return { waiting, result, progress: await handle.query(progressQuery) };
    });
    expect(waiting).toMatchObject({
      stage: 'FFMPEG_ENGINEER',
      status: 'FAILED',
      error: 'FFMPEG_ENGINEER: encoder crashed',
    });
    expect(result.reelPath).toContain(workflowId);
    expect(progress.status).toBe('COMPLETED');
    expect(progress.stages.find((s) => s.stage === 'FFMPEG_ENGINEER')).toMatchObject({
      status: 'completed',
      attempts: 2,
    });
    expect(standIns.calls).toMatchObject({
      router: 1,
      research: 1,
      pickMoment: 1,
      detectLayout: 1,
      renderSegments: 2,
      assembleReel: 1,
    });
    expect(standIns.events.map((e) => e.type)).toContain('pipeline.stage.resumed');
    await maybeRecordHistory(temporal.address, workflowId, 'reel-resumed', ['broll']);
  });
});

describe('the liveness watch over media calls', () => {
  it("moves a reel whose host stops answering while its media call waits, and never cuts a live host's wait", async () => {
    // Host A: its light queue is served (below) while its media queue never is, like a host whose
    // renders queue behind others for hours. Its light worker then stops, as a dead host's would.
    const standIns = standInActivities();
    const hostA = { ...hostQueuesOf(uniqueName('host-a'), 'a'), pickupTimeoutS: 3, watchIntervalS: 1 };
    const workflowId = uniqueName('reel-watch');
    // Set before the worker takes the activities; host B (the test's own queue) is known inside.
    const claims: HostQueues[] = [];
    standIns.activities.claimHost = () => Promise.resolve(claims.shift() ?? null);
    const { progress, aliveWhileWaiting, researchOnA } = await withWorker(standIns, async (taskQueue) => {
      claims.push(hostA, { ...hostQueuesOf(taskQueue, 'b'), hostQueue: taskQueue, mediaQueue: taskQueue });
      const lightOfA = await Worker.create({
        connection: temporal.nativeConnection,
        taskQueue: hostA.hostQueue,
        activities: standIns.activities,
      });
      const servingA = lightOfA.run();
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4' }],
      });
      // RESEARCH waits on A's media queue; A answers its liveness checks, so the run keeps waiting.
      await eventually(
        () => Promise.resolve(standIns.calls.hostAlive ?? 0),
        (n) => n >= 3,
      );
      const waiting = await progressOf(handle);
      const aliveWhileWaiting = { stage: waiting.stage, status: waiting.status, moved: waiting.hostChanges };
      const researchOnA = standIns.calls.research ?? 0;
      lightOfA.shutdown();
      await servingA;
      await handle.result();
      return { progress: await progressOf(handle), aliveWhileWaiting, researchOnA };
    });
    expect(aliveWhileWaiting).toEqual({ stage: 'RESEARCH', status: 'RUNNING', moved: undefined });
    expect(researchOnA).toBe(0);
    expect(progress.status).toBe('COMPLETED');
    expect(progress.hostChanges).toHaveLength(1);
    expect(progress.hostChanges![0]).toMatchObject({ from: 'a', to: 'b', stage: 'RESEARCH' });
    expect(progress.hostChanges![0]!.reason).toMatch(
      /^the run's host did not answer a liveness check \(hostAlive\) within its pickup timeout while research waited \d+ s\+$/,
    );
    // The media call queued on A was taken back: RESEARCH ran once, on B; ROUTER ran on A and again on B.
    expect(standIns.calls.research).toBe(1);
    expect(standIns.calls.router).toBe(2);
  });

  it('runs a reel on the host its request names (its source is only there), not on the first host to answer', async () => {
    const standIns = standInActivities();
    // The shared queue's worker (host B) would take any run that asks it.
    let hostB: HostQueues | null = null;
    let askedShared = 0;
    standIns.activities.claimHost = () => {
      askedShared += 1;
      return Promise.resolve(hostB);
    };
    const onUploadsHost: string[] = [];
    const { progress } = await withWorker(standIns, async (taskQueue) => {
      hostB = { ...hostQueuesOf(taskQueue, 'b'), hostQueue: taskQueue, mediaQueue: taskQueue };
      const requested = hostQueuesOf(taskQueue, 'uploads-host');
      // The named host: its own light and media queues, each activity recorded as it runs there.
      const activities = Object.fromEntries(
        Object.entries(standIns.activities).map(([name, fn]) => [
          name,
          (...args: unknown[]) => {
            onUploadsHost.push(name);
            return name === 'claimHost' ? Promise.resolve(requested) : (fn as (...a: unknown[]) => unknown)(...args);
          },
        ]),
      );
      const workers = await Promise.all(
        [requested.hostQueue, requested.mediaQueue].map((queue) =>
          Worker.create({ connection: temporal.nativeConnection, taskQueue: queue, activities }),
        ),
      );
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId: uniqueName('reel-requested-host'),
        args: [{ source: '/runs/uploads/x/talk.mp4', host: 'uploads-host' }],
      });
      const serving = workers.map((worker) => worker.runUntil(handle.result()));
      await Promise.all(serving);
      return { progress: await progressOf(handle) };
    });
    expect(progress.status).toBe('COMPLETED');
    expect(askedShared).toBe(0);
    expect(onUploadsHost[0]).toBe('claimHost');
    expect(onUploadsHost).toEqual(
      expect.arrayContaining(['router', 'research', 'detectLayout', 'assembleReel', 'deliver']),
    );
  });
});
