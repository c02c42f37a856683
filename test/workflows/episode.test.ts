/** episodeClips' workflow logic on a real Temporal dev server, with stand-in activities. */
import { WorkflowFailedError } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodeResult } from '../../src/domain/episode';
import type { ReelResult } from '../../src/domain/reel';
import { progressQuery, resumeUpdate } from '../../src/workflows/definitions';
import type { StandIns } from '../helpers/standInActivities';
import { standInActivities } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, listIds, progressOf, withStandInWorker } from '../helpers/workflows';

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

describe('episodeClips', () => {
  it('analyses the source once, renders each moment as its own clip workflow, at most 2 at a time', async () => {
    const standIns = standInActivities({ parallelClips: 2 });
    standIns.holdRender = true;
    const workflowId = uniqueName('episode-three');
    const { result, progress, held, clipProgress } = await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('episodeClips', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4', count: 3, captions: 'minimal', aspect: '1:1' }],
      });
      // Two clips reach FFMPEG_ENGINEER and are held there: the third cannot start until one delivers.
      const held = await eventually(
        () => progressOf(handle),
        (p) => (p.clips ?? []).filter((c) => c.stage === 'FFMPEG_ENGINEER').length === 2,
      );
      const preparedWhileHeld = standIns.calls.prepareClip;
      standIns.releaseRender();
      const result = (await handle.result()) as EpisodeResult;
      const clipProgress = await temporal.client.workflow.getHandle(`${workflowId}-clip2`).query(progressQuery);
      return {
        result,
        progress: await handle.query(progressQuery),
        held: { progress: held, preparedWhileHeld },
        clipProgress,
      };
    });
    expect(held.progress.stage).toBe('CLIPS');
    expect(held.progress.clips?.map((c) => c.status)).toEqual(['running', 'running', 'pending']);
    expect(held.preparedWhileHeld).toBe(2);

    // Analysis ran once for the source; the per-clip stages once per clip.
    expect(standIns.calls.router).toBe(1);
    expect(standIns.calls.research).toBe(1);
    expect(standIns.calls.pickMoments).toBe(1);
    expect(standIns.calls.pickMoment).toBeUndefined();
    expect(standIns.calls.writePublishingAssets).toBe(3);
    expect(standIns.calls.deliver).toBe(3);
    expect(standIns.calls.writeEpisodeIndex).toBe(1);

    expect(result.clips.map((c) => [c.rank, c.score, c.status, c.workflowId])).toEqual([
      [1, 90, 'delivered', `${workflowId}-clip1`],
      [2, 80, 'delivered', `${workflowId}-clip2`],
      [3, 70, 'delivered', `${workflowId}-clip3`],
    ]);
    expect(result.clips[0]).toMatchObject({
      hook: 'Hook 1',
      reason: 'reason 1: "line 1"',
      startS: 0,
      endS: 75,
      durationS: 75,
      reelPath: `/stand-in/output/${workflowId}-clip1/reel.mp4`,
    });
    expect(result.waiting).toEqual([]);
    expect(result.indexPath).toBe(`/stand-in/output/${workflowId}/index.md`);
    expect(progress.stages.map((s) => s.stage)).toEqual(['ROUTER', 'RESEARCH', 'TRANSCRIPT', 'CLIPS', 'DELIVERY']);
    expect(progress).toMatchObject({ kind: 'episode', status: 'COMPLETED' });

    // The render options reached every clip's render activities (the renderer reads them).
    const clip = temporal.client.workflow.getHandle(`${workflowId}-clip2`);
    expect(clipProgress).toMatchObject({ kind: 'clip', episodeId: workflowId, status: 'COMPLETED' });
    const history = await clip.fetchHistory();
    const inputOf = (activity: string): unknown => {
      const scheduled = (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .find((a) => a?.activityType?.name === activity);
      return JSON.parse(Buffer.from(scheduled!.input!.payloads![0]!.data!).toString());
    };
    expect(inputOf('detectLayout')).toMatchObject({ aspect: '1:1' });
    expect(inputOf('renderSegments')).toMatchObject({ captions: 'minimal', aspect: '1:1' });

    // Episodes and their clips are filterable.
    const episodes = await eventually(
      () =>
        listIds(
          temporal.client,
          `WorkflowId = '${workflowId}' AND PipelineKind = 'episode' AND PipelineStatus = 'COMPLETED'`,
        ),
      (ids) => ids.length === 1,
    );
    expect(episodes).toEqual([workflowId]);
    const clips = await eventually(
      () => listIds(temporal.client, `ParentWorkflowId = '${workflowId}' AND PipelineKind = 'clip'`),
      (ids) => ids.length === 3,
    );
    expect(clips.sort()).toEqual([1, 2, 3].map((rank) => `${workflowId}-clip${rank}`));
  });

  it('one clip failing does not fail the others; the episode ends with it waiting and names the resume command', async () => {
    const failingLayouts = [100];
    const standIns = standInActivities({ failingLayouts, parallelClips: 3 });
    const workflowId = uniqueName('episode-failing');
    await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('episodeClips', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4', count: 3 }],
      });
      const result = (await handle.result()) as EpisodeResult;
      expect(result.clips.map((c) => c.status)).toEqual(['delivered', 'waiting', 'delivered']);
      expect(result.clips[1]).toMatchObject({ stage: 'LAYOUT_DETECTIVE' });
      expect(result.clips[1]!.error).toContain('stand-in layout crash at 100 s');
      expect(result.waiting).toEqual([
        { workflowId: `${workflowId}-clip2`, command: `reelflow resume ${workflowId}-clip2` },
      ]);
      const progress = await handle.query(progressQuery);
      expect(progress.status).toBe('COMPLETED');
      expect(progress.events.map((e) => e.type)).toContain('episode.clip.waiting');

      // The waiting clip outlives its episode and resumes on its own workflow.
      failingLayouts.length = 0;
      const clip = temporal.client.workflow.getHandle(`${workflowId}-clip2`);
      await clip.executeUpdate(resumeUpdate);
      const delivered = (await clip.result()) as ReelResult;
      expect(delivered.reelPath).toBe(`/stand-in/output/${workflowId}-clip2/reel.mp4`);
    });
  });

  it('rejects a bad count, naming the field', async () => {
    const standIns = standInActivities();
    const workflowId = uniqueName('episode-bad');
    const failure = await withWorker(standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('episodeClips', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4', count: 11 }],
      });
      return handle.result().catch((err: unknown) => err);
    });
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String((failure as WorkflowFailedError).cause?.message)).toMatch(/count/);
    expect(standIns.calls.router).toBeUndefined();
  });
});
