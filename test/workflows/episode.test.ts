/**
 * episodeClips' workflow logic on a real Temporal dev server, with stand-in activities; the Gemini
 * ranking case runs the real TRANSCRIPT and QA activities through the real SDK against the local double.
 */
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { EpisodeResult } from '../../src/domain/episode';
import type { HostQueues } from '../../src/domain/hosts';
import { hostQueuesOf } from '../../src/domain/hosts';
import type { ReelResult } from '../../src/domain/reel';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import { progressQuery, resumeUpdate } from '../../src/workflows/definitions';
import { testConfig } from '../helpers/config';
import { candidatesIn, firstSentence, promptOf } from '../helpers/episodeRanking';
import { tempDir } from '../helpers/media';
import { geminiAnswer, providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';
import type { StandIns } from '../helpers/standInActivities';
import { standInActivities, THREE_PROMPTS } from '../helpers/standInActivities';
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

  it('Gemini ranks the moments; an answer that breaks the QA rules is reworked with the feedback', async () => {
    const dir = await tempDir('episode-gemini');
    const veo = await startOfflineVeo(dir);
    try {
      const config = testConfig(dir);
      const real = createActivities({
        config,
        providers: {
          ...providersFor(veo, config),
          text: new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: veo.url }),
        },
      });
      // 300 s of short sentences; the source's audio counts as measured and silent (no emotion), so
      // TRANSCRIPT needs no media and the ranking is the only thing that varies.
      const workspace = path.join(dir, 'runs', 'episode');
      await mkdir(workspace, { recursive: true });
      const transcriptPath = path.join(workspace, 'transcript.json');
      const cues = Array.from({ length: 60 }, (_, i) => ({
        startS: i * 5,
        endS: i * 5 + 4.8,
        text: `Line ${i} is short.`,
      }));
      await writeFile(transcriptPath, JSON.stringify({ cues }));
      await writeFile(
        path.join(workspace, 'audio-features.json'),
        JSON.stringify({ stepS: 1, loudnessDb: [], pitchHz: [] }),
      );

      const prompts: string[] = [];
      veo.setContentResponder((_model, body) => {
        const prompt = promptOf(body);
        prompts.push(prompt);
        const [a, b] = candidatesIn(prompt).slice(-2).reverse();
        const reworked = prompt.includes('Your previous answer was rejected');
        return geminiAnswer({
          clips: [
            {
              candidate: a!.index,
              score: 88,
              // First answer: a hook too long for the screen and a reason that quotes nothing.
              hook: reworked
                ? 'The last line lands'
                : 'This is the moment where everything that came before finally lands hard',
              reason: reworked ? `It closes on "${firstSentence(a!.text)}"` : 'It is the best part of the episode.',
            },
            { candidate: b!.index, score: 64, hook: 'Just before', reason: `It asks "${firstSentence(b!.text)}"` },
          ],
        });
      });
      const standIns = standInActivities({ parallelClips: 2 });
      const stage = standIns.activities;
      const activities = {
        ...stage,
        router: async (input: Parameters<typeof stage.router>[0]) => ({ ...(await stage.router(input)), workspace }),
        research: async () => ({
          info: { durationS: 300, width: 1920, height: 1080, fps: 25, hasAudio: true },
          transcriptPath,
          transcriptOrigin: 'sidecar' as const,
          cueCount: cues.length,
        }),
        pickMoments: real.pickMoments,
        // The real gate rules for the episode's moments; the other stages' artifacts are stand-ins.
        qaCheck: (input: Parameters<typeof stage.qaCheck>[0]) =>
          input.stage === 'EPISODE_MOMENTS' ? real.qaCheck(input) : stage.qaCheck(input),
        keepArtifact: (input: Parameters<typeof stage.keepArtifact>[0]) =>
          input.artifactPath.startsWith(workspace) ? real.keepArtifact(input) : stage.keepArtifact(input),
      };
      const workflowId = uniqueName('episode-gemini');
      const result = await withWorker({ ...standIns, activities }, async (taskQueue) => {
        const handle = await temporal.client.workflow.start('episodeClips', {
          taskQueue,
          workflowId,
          args: [{ source: '/media/episode.mp4', count: 2 }],
        });
        return (await handle.result()) as EpisodeResult;
      });

      expect(prompts).toHaveLength(2);
      expect(prompts[1]).toMatch(/clip 1: the hook is 7\d characters; keep it to 60/);
      expect(prompts[1]).toContain("clip 1: the reason must quote the moment's own words");
      const offered = candidatesIn(prompts[1]!);
      expect(result.clips.map((c) => [c.rank, c.score, c.hook, c.status])).toEqual([
        [1, 88, 'The last line lands', 'delivered'],
        [2, 64, 'Just before', 'delivered'],
      ]);
      expect(result.clips.map((c) => c.startS)).toEqual([offered.at(-1)!.startS, offered.at(-2)!.startS]);
      expect(result.clips[0]!.reason).toMatch(/^It closes on "Line \d+ is short\."$/);
      // The reworked answer is the one kept, under the artifact's own name.
      const kept = JSON.parse(await readFile(path.join(workspace, 'moments.json'), 'utf8')) as {
        moments: { hook: string; ranking: { by: string } }[];
      };
      expect(kept.moments.map((m) => [m.hook, m.ranking.by])).toEqual([
        ['The last line lands', 'gemini text (gemini-2.5-flash)'],
        ['Just before', 'gemini text (gemini-2.5-flash)'],
      ]);
    } finally {
      await veo.stop();
    }
  });

  it('moves an episode whose host stops picking up its light work to another host, saying why', async () => {
    // Claimed first by a host with no worker: its queues stay unpolled, so ROUTER's pickup times out;
    // the second claim is the test's own queue (set before the worker takes the activities).
    const standIns = standInActivities();
    const claims: HostQueues[] = [
      { ...hostQueuesOf(uniqueName('nobody'), 'gone'), pickupTimeoutS: 1, mediaPickupTimeoutS: 1 },
    ];
    standIns.activities.claimHost = () => Promise.resolve(claims.shift() ?? null);
    const workflowId = uniqueName('episode-host-lost');
    const progress = await withWorker(standIns, async (taskQueue) => {
      claims.push({ ...hostQueuesOf(taskQueue, 'live'), hostQueue: taskQueue, mediaQueue: taskQueue });
      const handle = await temporal.client.workflow.start('episodeClips', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4', count: 2 }],
      });
      await handle.result();
      return progressOf(handle);
    });
    expect(progress.status).toBe('COMPLETED');
    expect(progress.hostChanges).toEqual([
      expect.objectContaining({
        from: 'gone',
        to: 'live',
        stage: 'ROUTER',
        reason: "no worker of the run's host started router within its pickup timeout",
      }),
    ]);
    expect(standIns.calls.router).toBe(1);
  });

  it('moves an episode whose host is lost mid-clip: moments from history, delivered clips kept, the rest started again', async () => {
    // Host A serves its light and media queues from workers of its own, until the test stops them
    // (a host gone for good) while clip 2 is rendering there; clip 1 has delivered on A by then.
    // One B-roll clip per clip, so clip 2 has paid work in flight on A when A goes.
    const standIns = standInActivities({ parallelClips: 1, prompts: THREE_PROMPTS.slice(0, 1) });
    const hostA = { ...hostQueuesOf(uniqueName('ep-host-a'), 'a'), pickupTimeoutS: 2, watchIntervalS: 1 };
    const claims: HostQueues[] = [];
    standIns.activities.claimHost = () => Promise.resolve(claims.shift() ?? null);
    const restoreMoments = standIns.activities.restoreMoments;
    const restored: Parameters<typeof restoreMoments>[0][] = [];
    standIns.activities.restoreMoments = (input) => {
      restored.push(input);
      return restoreMoments(input);
    };
    let clip2OnA: () => void = () => undefined;
    const clip2Rendering = new Promise<void>((resolve) => (clip2OnA = resolve));
    let releaseA: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (releaseA = resolve));
    const workflowId = uniqueName('episode-moves');
    // What clip 2's B-roll child had submitted on A (and reported to the clip) when A went.
    let submittedOnA: string[] = [];
    const onA = {
      ...standIns.activities,
      renderSegments: async (input: Parameters<typeof standIns.activities.renderSegments>[0]) => {
        if (input.workspace.endsWith('-clip2')) {
          // Heartbeats while it waits for the B-roll, however slow the machine is.
          const beat = setInterval(() => Context.current().heartbeat(), 1000);
          const clip2 = temporal.client.workflow.getHandle(`${workflowId}-clip2`);
          await eventually(
            () => progressOf(clip2),
            (p) => (p.broll?.submitted ?? 0) + (p.broll?.done ?? 0) > 0,
          ).finally(() => clearInterval(beat));
          submittedOnA = [...standIns.submissions];
          clip2OnA();
          await released;
        }
        return standIns.activities.renderSegments(input);
      },
    };
    const { result, progress, clip2OnB } = await withWorker(standIns, async (taskQueue) => {
      claims.push(hostA, { ...hostQueuesOf(taskQueue, 'b'), hostQueue: taskQueue, mediaQueue: taskQueue });
      const workersOfA = await Promise.all(
        [hostA.hostQueue, hostA.mediaQueue].map((queue) =>
          Worker.create({ connection: temporal.nativeConnection, taskQueue: queue, activities: onA }),
        ),
      );
      const servingA = workersOfA.map((worker) => worker.run());
      const handle = await temporal.client.workflow.start('episodeClips', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4', count: 2 }],
      });
      await clip2Rendering;
      // A stops taking work (its in-flight render finishes), and never comes back.
      for (const worker of workersOfA) worker.shutdown();
      releaseA();
      await Promise.all(servingA);
      const result = (await handle.result()) as EpisodeResult;
      const clip2OnB = await progressOf(temporal.client.workflow.getHandle(`${workflowId}-clip2`));
      return { result, progress: await progressOf(handle), clip2OnB };
    });
    expect(result.clips.map((c) => [c.rank, c.status])).toEqual([
      [1, 'delivered'],
      [2, 'delivered'],
    ]);
    expect(progress.status).toBe('COMPLETED');
    expect(progress.hostChanges).toHaveLength(1);
    expect(progress.hostChanges![0]).toMatchObject({ from: 'a', to: 'b', stage: 'CLIPS' });
    expect(progress.hostChanges![0]!.reason).toContain('did not answer a liveness check');
    // Analysis ran again on B; the moments were not picked again but written there from history.
    expect(standIns.calls.router).toBe(2);
    expect(standIns.calls.research).toBe(2);
    expect(standIns.calls.pickMoments).toBe(1);
    expect(restored).toHaveLength(1);
    expect(restored[0]!.moments.map((m) => [m.rank, m.hook, m.startS, m.endS])).toEqual([
      [1, 'Hook 1', 0, 75],
      [2, 'Hook 2', 100, 175],
    ]);
    // Clip 1 delivered once (on A) and was not started again; clip 2 was prepared on A, then on B.
    expect(standIns.calls.prepareClip).toBe(3);
    expect(standIns.calls.deliver).toBe(2);
    expect(standIns.calls.writeEpisodeIndex).toBe(1);
    expect(progress.events.filter((e) => e.type === 'episode.clip.host_lost').map((e) => e.data?.rank)).toEqual([2]);
    // Clip 2's B-roll, submitted on A, is taken over on B: nothing is submitted after the move, and
    // the clip's run on B polls those same jobs to the end.
    const clip2Keys = submittedOnA.filter((key) => key.includes('clip2'));
    expect(clip2Keys.length).toBeGreaterThan(0);
    expect(standIns.submissions).toEqual(submittedOnA);
    expect(clip2OnB.broll?.done).toBe(clip2Keys.length);
    expect(clip2OnB.hostChanges ?? []).toEqual([]);
    await maybeRecordHistory(temporal.address, workflowId, 'episode-host-moved', ['clip2']);
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
