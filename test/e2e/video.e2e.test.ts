/**
 * Prompt to video end to end on the offline providers: real activities, real ffmpeg, the real
 * @google/genai SDK against the local Veo server, a real Temporal server.
 */
import type { WorkflowBundle } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restitch, startVideo } from '../../src/cli/runs';
import type { AppConfig } from '../../src/config';
import type { Progress } from '../../src/domain/progress';
import type { VideoResult } from '../../src/domain/video';
import { grayFrame, probe } from '../../src/media/ffmpeg';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { describeProject } from '../../src/api/projects';
import { controlRun } from '../../src/cli/control';
import {
  brollQuery,
  PipelineStageKey,
  PipelineStatusKey,
  progressQuery,
  resumeUpdate,
} from '../../src/workflows/definitions';
import { createWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';
import { GeminiImageModel } from '../../src/providers/image/geminiImage';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, maybeRecordHistory } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;
let config: AppConfig;
let veo: LocalVeoServer;
let providers: ReturnType<typeof providersFor>;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  const dir = await tempDir('video');
  bundle = await bundleWorkflows();
  config = testConfig(dir, {
    TEMPORAL_TASK_QUEUE: uniqueName('video'),
    VEO3_POLL_INITIAL_S: '0.3',
    VEO3_POLL_MAX_S: '1',
    VIDEO_GEN_CONCURRENCY: '2',
  });
  veo = await startOfflineVeo(dir);
  providers = providersFor(veo, config);
  worker = await createWorker({ connection: temporal.nativeConnection, config, providers, workflowBundle: bundle });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await veo?.stop();
  await temporal?.close();
});

const diff = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] ?? 0)), 0) / a.length;
const counts = () => ({ text: providers.text.calls, image: providers.image.calls, clips: veo.stats.submissions });

describe('prompt to video', () => {
  let first: VideoResult;

  it('makes three 4 s scenes into a 12 s 9:16 video with a visible change between scenes', async () => {
    const handle = await startVideo(temporal.client, config.temporal.taskQueue, {
      prompt: 'a lighthouse keeper climbs the stairs during a storm at night',
      aspectRatio: '9:16',
      clipDurationS: 4,
      sceneCount: 3,
    });
    const phases = new Set<string>();
    const watching = (async () => {
      for (;;) {
        const p = await handle.query(progressQuery).catch(() => undefined);
        if (p?.phase) phases.add(p.phase);
        if (p?.phase === 'complete') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    first = (await handle.result()) as VideoResult;
    await watching;
    expect(handle.workflowId).toMatch(/^video-a-lighthouse-keeper-[0-9a-f]{6}$/);
    const info = await probe(first.videoPath);
    expect(info.video).toMatchObject({ width: 720, height: 1280 });
    expect(Math.abs(info.durationS - 12)).toBeLessThan(0.2);
    expect(first.durationS).toBeCloseTo(info.durationS, 1);
    const frames = await Promise.all([2, 6, 10].map((t) => grayFrame(first.videoPath, t, 36, 64)));
    expect(diff(frames[0]!, frames[1]!)).toBeGreaterThan(5);
    expect(diff(frames[1]!, frames[2]!)).toBeGreaterThan(5);
    // Status went through the phases, and the run carries its own timing.
    expect([...phases]).toContain('complete');
    expect(phases.has('video_gen') || phases.has('stitching') || phases.has('keyframing')).toBe(true);
    expect(first.stages.map((s) => s.stage)).toEqual(['STORYBOARD', 'KEYFRAMES', 'VIDEO_GEN', 'STITCH']);
    expect(first.totalDurationMs).toBe(Date.parse(first.completedAt) - Date.parse(first.startedAt));
    expect(first.missingScenes).toEqual([]);
    expect(first.clipPaths).toHaveLength(3);
  });

  it('re-stitches from the CLI as a process, printing JSON', async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.resolve(__dirname, '../../bin/reelflow.js'), 'stitch', first.workflowId, '--crossfade', '0.25', '--json'],
        {
          env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue },
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', (exit) => resolve({ stdout: out, code: exit }));
    });
    expect(code).toBe(0);
    const stitched = JSON.parse(stdout) as { deliveredPath: string; durationS: number };
    expect(stitched.deliveredPath).toMatch(/video-crossfade-0\.25\.mp4$/);
    expect(stitched.durationS).toBeCloseTo(12 - 2 * 0.25, 1);
  });

  it('re-stitches with a 0.5 s crossfade: 1 s shorter, and no provider is called', async () => {
    const before = counts();
    const again = await restitch(temporal.client, config.temporal.taskQueue, first.workflowId, 0.5);
    const info = await probe(again.deliveredPath);
    expect(info.durationS).toBeCloseTo((await probe(first.videoPath)).durationS - 2 * 0.5, 1);
    expect(counts()).toEqual(before);
  });

  it('waits for resume when a scene fails, then generates only that scene again', async () => {
    // Scene 2's motion prompt is the only one with this camera move; its first generation fails.
    // Two scenes (each is drawn key frames and a drawn clip): one to keep, one to generate again.
    veo.setFaults([{ match: 'gentle pan left to right', fault: 'operation_error', times: 1 }]);
    const before = counts();
    const handle = await startVideo(temporal.client, config.temporal.taskQueue, {
      prompt: 'a fox crossing a snowy field at dawn',
      aspectRatio: '16:9',
      clipDurationS: 4,
      sceneCount: 2,
    });
    const failed = await eventually<Progress>(
      () => handle.query(progressQuery),
      (p) => p.awaitingResume === true,
    );
    expect(failed).toMatchObject({ stage: 'VIDEO_GEN', phase: 'failed' });
    expect(failed.error).toMatch(/scene 2: generation_failed/);
    const atFailure = counts();
    expect(atFailure.clips - before.clips).toBe(2);

    await handle.executeUpdate(resumeUpdate);
    const result = (await handle.result()) as VideoResult;
    expect((await probe(result.videoPath)).video).toMatchObject({ width: 1280, height: 720 });
    const after = counts();
    // The storyboard, the key frames and scene 1 were not generated again: one more clip only.
    expect(after.text).toBe(atFailure.text);
    expect(after.image).toBe(atFailure.image);
    expect(after.clips - atFailure.clips).toBe(1);
    expect(veo.stats.keys.filter((key) => key.startsWith(handle.workflowId))).toEqual(
      expect.arrayContaining([
        `${handle.workflowId}_scene-1`,
        `${handle.workflowId}_scene-2`,
        `${handle.workflowId}.2_scene-2`,
      ]),
    );
    expect(result.stages.find((s) => s.stage === 'VIDEO_GEN')?.attempts).toBe(2);
    veo.setFaults([]);
    await maybeRecordHistory(temporal.address, handle.workflowId, 'video-resumed', ['clips', 'clips-2']);
  });

  it('goes on without a scene the safety filter refused, and says which one is missing', async () => {
    // Two scenes: the second (the only one with this camera move) is refused.
    veo.setFaults([{ match: 'gentle pan left to right', fault: 'safety' }]);
    const handle = await startVideo(temporal.client, config.temporal.taskQueue, {
      prompt: 'a paper boat drifting down a city gutter',
      aspectRatio: '16:9',
      clipDurationS: 4,
      sceneCount: 2,
    });
    const result = (await handle.result()) as VideoResult;
    expect(result.missingScenes).toMatchObject([{ index: 2, status: 'rai_filtered' }]);
    expect(Math.abs((await probe(result.videoPath)).durationS - 4)).toBeLessThan(0.2);
    veo.setFaults([]);
  });

  it('plans with Gemini text and draws key frames with Gemini images; a malformed plan is asked for again', async () => {
    const gemini = { apiKey: TEST_API_KEY, baseUrl: veo.url };
    const queue = uniqueName('video-gemini');
    const geminiWorker = await createWorker({
      connection: temporal.nativeConnection,
      config: { ...config, temporal: { ...config.temporal, taskQueue: queue } },
      providers: {
        ...providers,
        text: new GeminiTextModel('gemini-2.5-flash', gemini),
        image: new GeminiImageModel('gemini-2.5-flash-image', gemini),
      },
      workflowBundle: bundle,
    });
    const plan = {
      style_guide: { look: 'watercolour', palette: ['#aabbcc'] },
      scenes: [1, 2].map((n) => ({
        start_frame_prompt: `a fox, frame ${n}a`,
        end_frame_prompt: `a fox, frame ${n}b`,
        motion_prompt: `slow pan ${n}`,
        transition: 'cut',
      })),
    };
    let textRequests = 0;
    veo.setContentResponder((_model, body) => {
      textRequests += 1;
      // The first answer is malformed; the activity is retried and the second is good.
      const text = textRequests === 1 ? '{"scenes": [' : JSON.stringify(plan);
      expect(body.generationConfig?.responseMimeType).toBe('application/json');
      return { candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }] };
    });
    const imagesBefore = veo.stats.contentRequests;
    try {
      const result = await geminiWorker.runUntil(async () => {
        const handle = await startVideo(temporal.client, queue, {
          prompt: 'a fox in the snow',
          clipDurationS: 4,
          sceneCount: 2,
        });
        return (await handle.result()) as VideoResult;
      });
      const storyboard = JSON.parse(await readFile(path.join(result.workspace, 'storyboard.json'), 'utf8'));
      expect(storyboard.generator).toBe('gemini text (gemini-2.5-flash)');
      expect(storyboard.style_guide.look).toBe('watercolour');
      expect(textRequests).toBe(2);
      // Two text answers, then one image per key frame: a start frame and two end frames.
      expect(veo.stats.contentRequests - imagesBefore).toBe(2 + 3);
      expect(Math.abs((await probe(result.videoPath)).durationS - 8)).toBeLessThan(0.2);
    } finally {
      veo.setContentResponder(undefined);
    }
  });

  it('rejects an invalid request at once, naming the field', async () => {
    const handle = await temporal.client.workflow.start('promptToVideo', {
      taskQueue: config.temporal.taskQueue,
      workflowId: uniqueName('video-invalid'),
      args: [{ prompt: 'ok prompt', clipDurationS: 5, crossfadeS: 3 }],
    });
    await expect(handle.result()).rejects.toMatchObject({
      cause: { type: 'INVALID_REQUEST', message: expect.stringMatching(/clipDurationS/) },
    });
  });

  it('after a B-roll cancel during VIDEO_GEN, resume generates the stopped scene in a fresh round and finishes', async () => {
    // Two scenes: scene 2 (the only one with this camera move) hangs until B-roll is cancelled.
    veo.setFaults([{ match: 'gentle pan left to right', fault: 'hang' }]);
    const handle = await startVideo(temporal.client, config.temporal.taskQueue, {
      prompt: 'a kite over a windy beach',
      aspectRatio: '16:9',
      clipDurationS: 4,
      sceneCount: 2,
    });
    await eventually(
      () => handle.query(brollQuery),
      (jobs) => jobs.filter((j) => j.status === 'done').length === 1 && jobs.some((j) => j.status === 'submitted'),
    );
    const cancelled = await controlRun(temporal.client, handle.workflowId, 'cancelBroll');
    expect(cancelled.used.map((c) => c.key).sort()).toEqual([`${handle.workflowId}_scene-1`]);
    expect(cancelled.stopped).toEqual([`${handle.workflowId}_scene-2`]);
    const waiting = await eventually<Progress>(
      () => handle.query(progressQuery),
      (p) => p.awaitingResume === true,
    );
    expect(waiting.error).toMatch(/scene 2: cancelled/);
    veo.setFaults([]);
    expect(await controlRun(temporal.client, handle.workflowId, 'resume')).toEqual({ stage: 'VIDEO_GEN', attempt: 2 });
    const result = (await handle.result()) as VideoResult;
    expect(result.clipPaths).toHaveLength(2);
    expect(veo.stats.keys).toContain(`${handle.workflowId}.2_scene-2`);
    await maybeRecordHistory(temporal.address, handle.workflowId, 'video-cancel-resumed', ['clips', 'clips-2']);
  });

  it('never resubmits failed scenes on its own: VIDEO_GEN waits for resume, which pays for them knowingly', async () => {
    // Every submission is refused with HTTP 429 (no job made, retriable): the reel's gate would retry
    // once by itself; VIDEO_GEN must not.
    veo.setFaults([{ match: '', fault: 'rate_limit' }]);
    const handle = await startVideo(temporal.client, config.temporal.taskQueue, {
      prompt: 'a lantern floating on a dark lake',
      aspectRatio: '16:9',
      clipDurationS: 4,
      sceneCount: 2,
    });
    const waiting = await eventually<Progress>(
      () => handle.query(progressQuery),
      (p) => p.awaitingResume === true,
    );
    expect(waiting.error).toMatch(/scene 1: rate_limited/);
    expect(waiting.events.map((e) => e.type)).not.toContain('veo3.gate.retried');
    const jobs = await handle.query(brollQuery);
    expect(jobs.map((j) => j.attempts)).toEqual([1, 1]);
    veo.setFaults([]);
    await controlRun(temporal.client, handle.workflowId, 'resume');
    const result = (await handle.result()) as VideoResult;
    expect(result.clipPaths).toHaveLength(2);
    expect(veo.stats.keys.filter((k) => k.startsWith(`${handle.workflowId}_`) && /_r\d+$/.test(k))).toEqual([]);
  });

  it('closes FAILED, in its search attributes too, when the safety filter refuses every scene', async () => {
    veo.setFaults([{ match: '', fault: 'safety' }]);
    const handle = await startVideo(temporal.client, config.temporal.taskQueue, {
      prompt: 'a storm over a quiet village',
      aspectRatio: '16:9',
      clipDurationS: 4,
      sceneCount: 2,
    });
    await expect(handle.result()).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/every scene was refused by the safety filter/) },
    });
    veo.setFaults([]);
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(PipelineStageKey)).toBe('FAILED');
    expect(typedSearchAttributes.get(PipelineStatusKey)).toBe('FAILED');
    const detail = await describeProject(temporal.client, handle.workflowId);
    expect(detail).toMatchObject({ status: 'FAILED', execution: 'FAILED', failedStage: 'VIDEO_GEN' });
    expect(detail.error).toMatch(/every scene was refused/);
  });
});
