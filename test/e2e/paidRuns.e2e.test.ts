/**
 * Whole runs with paid work under control: real activities, real ffmpeg, the real SDK against the
 * local Veo server, the real budget ledgers on a real Temporal server. The offline providers are
 * priced by a test table, so estimates, metering and caps have real numbers to work with.
 */
import type { Worker } from '@temporalio/worker';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReel, startVideo } from '../../src/cli/runs';
import type { AppConfig } from '../../src/config';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { BrollJob } from '../../src/domain/broll';
import type { Progress } from '../../src/domain/progress';
import type { ReelResult } from '../../src/domain/reel';
import type { VideoResult } from '../../src/domain/video';
import { probe } from '../../src/media/ffmpeg';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { progressQuery } from '../../src/workflows/definitions';
import { createWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { smallPodcast, tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';
import { writeTestPrices } from '../helpers/prices';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, progressOf } from '../helpers/workflows';
import { GeminiTextModel } from '../../src/providers/text/geminiText';

let temporal: TestTemporal;
let dir: string;
let sample: SamplePodcast;
let config: AppConfig;
let veo: LocalVeoServer;
let worker: Worker;
let running: Promise<void>;
let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('paid-e2e');
  const [workflowBundle, podcast, pricesPath] = await Promise.all([
    bundleWorkflows(),
    smallPodcast(path.join(dir, 'sample'), 100),
    writeTestPrices(dir),
  ]);
  sample = podcast;
  bundle = workflowBundle;
  config = testConfig(dir, {
    TEMPORAL_TASK_QUEUE: uniqueName('paid-e2e'),
    VEO3_POLL_INITIAL_S: '0.5',
    VEO3_POLL_MAX_S: '2',
    VEO3_CLIP_COUNT: '3',
    VEO3_MODEL: 'veo-3.1-generate-001',
    PRICES_PATH: pricesPath,
  });
  veo = await startOfflineVeo(dir);
  // One worker for the file: the runs below are independent and may share it.
  worker = await createWorker({
    connection: temporal.nativeConnection,
    config,
    providers: providersFor(veo, config),
    workflowBundle: bundle,
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await veo?.stop();
  await temporal?.close();
});

// Whole reels render 1080x1920 with ffmpeg: on two busy cores that takes minutes, not seconds.
const within10 = (actual: number, estimate: number) => Math.abs(actual - estimate) <= 0.1 * estimate;

describe('paid runs end to end', () => {
  it('a 3-clip reel: the estimate recorded at the start is within 10 % of the metered cost, and summary.md shows both', async () => {
    // A 30 s moment in the 1:1 frame (0.56 of 9:16's pixels to encode): the three clips and their
    // cost depend on neither the moment's length nor the frame.
    const handle = await startReel(temporal.client, config.temporal.taskQueue, {
      source: sample.video,
      durationS: 30,
      aspect: '1:1',
      clips: 3,
    });
    const result = (await handle.result()) as ReelResult;
    const progress = (await handle.query(progressQuery)) as Progress;
    const cost = progress.cost!;
    expect(cost.estimate!.lines.find((l) => l.kind === 'video')).toMatchObject({ quantity: 14, costUsd: 7 });
    const clips = cost.calls.filter((c) => c.kind === 'video');
    expect(clips).toHaveLength(3);
    expect(clips.every((c) => c.model === 'veo-3.1-generate-001' && c.costUsd === (c.seconds ?? 0) * 0.5)).toBe(true);
    expect(cost.actualUsd).toBeGreaterThan(0);
    expect(within10(cost.actualUsd, cost.estimate!.totalUsd)).toBe(true);

    const summary = await readFile(path.join(config.outputDir, result.workflowId, 'summary.md'), 'utf8');
    expect(summary).toContain('## Cost');
    expect(summary).toContain(
      `Estimated $${cost.estimate!.totalUsd.toFixed(2)}, actual $${cost.actualUsd.toFixed(2)}.`,
    );
    for (const clip of clips) expect(summary).toContain(`- ${clip.label}: video, offline veo-3.1-generate-001`);
  }, 900_000);

  it('--max-cost below one clip: nothing is submitted, every clip is over_budget with the reason, and the reel ships', async () => {
    const before = veo.stats.submissions;
    const handle = await startReel(temporal.client, config.temporal.taskQueue, {
      source: sample.video,
      durationS: 30,
      aspect: '1:1',
      clips: 2,
      maxCostUsd: 1,
    });
    const result = (await handle.result()) as ReelResult;
    expect(veo.stats.keys.filter((k) => k.startsWith(result.workflowId))).toEqual([]);
    expect(veo.stats.submissions).toBe(before);
    expect(result.broll).toMatchObject({ requested: 2, generated: 0 });
    expect((await probe(result.reelPath)).video).toMatchObject({ width: 1080, height: 1080 });

    const jobs = JSON.parse(await readFile(path.join(result.workspace, 'veo3', 'jobs.json'), 'utf8')) as {
      jobs: BrollJob[];
    };
    expect(jobs.jobs.map((j) => j.status)).toEqual(['over_budget', 'over_budget']);
    expect(jobs.jobs[0]!.error_message).toMatch(/over the cap of \$1\.00/);
    const progress = (await handle.query(progressQuery)) as Progress;
    expect(progress.cost?.actualUsd).toBe(0);
    expect(progress.cost?.refused?.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^over_budget, not submitted: run .* over the cap of \$1\.00/),
      expect.stringMatching(/^over_budget, not submitted/),
    ]);
    const summary = await readFile(path.join(config.outputDir, result.workflowId, 'summary.md'), 'utf8');
    expect(summary).toMatch(/_intro: over_budget, not submitted/);
  }, 900_000);

  it('a 3-scene video: the estimate (key frames and clips) is within 10 % of the metered cost', async () => {
    const handle = await startVideo(temporal.client, config.temporal.taskQueue, {
      prompt: 'a paper boat drifts down a rainy street into a harbour at dusk',
      clipDurationS: 4,
      sceneCount: 3,
    });
    await handle.result();
    const progress = (await handle.query(progressQuery)) as Progress;
    const cost = progress.cost!;
    // 4 key frames × $0.04 and 3 × 4 s × $0.50.
    expect(cost.estimate!.totalUsd).toBeCloseTo(6.16, 6);
    expect(cost.calls.filter((c) => c.kind === 'image')).toHaveLength(4);
    expect(cost.calls.filter((c) => c.kind === 'video')).toHaveLength(3);
    expect(within10(cost.actualUsd, cost.estimate!.totalUsd)).toBe(true);
    const result = (await handle.result()) as VideoResult;
    expect(result.clipPaths).toHaveLength(3);
  });
});

describe('text calls under a run cap', () => {
  it('a video whose --max-cost is below one storyboard call: the call is not sent, STORYBOARD waits for resume with over_budget', async () => {
    // Its own worker, whose text model is Gemini (the real SDK against the local server).
    const gemini = testConfig(dir, {
      TEMPORAL_TASK_QUEUE: uniqueName('paid-text'),
      TEXT_PROVIDER: 'gemini',
      GEMINI_API_KEY: TEST_API_KEY,
      PRICES_PATH: config.pricesPath!,
      VEO3_MODEL: 'veo-3.1-generate-001',
    });
    const textWorker = await createWorker({
      connection: temporal.nativeConnection,
      config: gemini,
      providers: {
        ...providersFor(veo, gemini),
        text: new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: veo.url }),
      },
      workflowBundle: bundle,
    });
    const before = veo.stats.contentRequests;
    await textWorker.runUntil(async () => {
      const handle = await startVideo(temporal.client, gemini.temporal.taskQueue, {
        prompt: 'a paper boat drifts down a rainy street',
        clipDurationS: 4,
        sceneCount: 2,
        maxCostUsd: 0.001,
      });
      const waiting = await eventually(
        () => progressOf(handle),
        (p) => p.awaitingResume === true,
      );
      expect(waiting).toMatchObject({ awaitingResume: true, failedStage: 'STORYBOARD', errorType: 'over_budget' });
      expect(waiting.error).toMatch(/STORYBOARD: not made, over a budget cap: run .*a text call to gemini-2\.5-flash/);
      expect(veo.stats.contentRequests).toBe(before);
      // Counted like a refused clip: listed in the run's cost with why, and nothing charged.
      expect(waiting.cost?.refused).toEqual([
        {
          label: 'STORYBOARD (text/image call)',
          stage: 'STORYBOARD',
          reason: expect.stringMatching(/^over_budget, not sent: not made, over a budget cap: run /),
        },
      ]);
      expect(waiting.cost?.actualUsd ?? 0).toBe(0);
      await handle.terminate('test done');
    });
  });
});
