/** The whole reel pipeline: real activities, real ffmpeg on generated media, a real Temporal server. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { WorkflowBundle } from '@temporalio/worker';
import { startReel } from '../../src/cli/runs';
import type { AppConfig } from '../../src/config';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { PipelineEvent } from '../../src/domain/progress';
import type { Moment, ReelResult } from '../../src/domain/reel';
import { PublishingAssetsSchema } from '../../src/domain/reel';
import { probe } from '../../src/media/ffmpeg';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import { progressQuery } from '../../src/workflows/definitions';
import { createWorker } from '../../src/worker';
import { REEL_STAGE_SEQUENCE } from '../../src/workflows/stages';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { grayFrame } from '../../src/media/ffmpeg';
import { testConfig } from '../helpers/config';
import { baseFrames } from '../helpers/render';
import { geminiAnswer, providersFor, TEST_API_KEY } from '../helpers/offlineVeo';
import type { RealRuns } from '../helpers/realRuns';
import { startRealRuns } from '../helpers/realRuns';
import type { TestTemporal } from '../helpers/temporal';
import { maybeRecordHistory } from '../helpers/workflows';
import { uniqueName } from '../helpers/temporal';

let runs: RealRuns;
let temporal: TestTemporal;
let bundle: WorkflowBundle;
let dir: string;
let sample: SamplePodcast;
let config: AppConfig;
let veo: LocalVeoServer;

beforeAll(async () => {
  runs = await startRealRuns({
    name: 'reel-e2e',
    sampleS: 100,
    env: { VEO3_POLL_INITIAL_S: '0.5', VEO3_POLL_MAX_S: '2' },
  });
  ({ temporal, bundle, dir, sample, config, veo } = runs);
});
afterAll(() => runs?.stop());

/** Mean absolute difference between two small grey frames. */
function frameDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

describe('reel pipeline end to end (offline providers, real ffmpeg)', () => {
  it('turns a side-by-side podcast into a 1080x1920 reel of the chosen moment, with audio and publishing assets', async () => {
    const worker = await runs.newWorker();
    const result = await worker.runUntil(async () => {
      const handle = await startReel(temporal.client, config.temporal.taskQueue, { source: sample.video });
      return (await handle.result()) as ReelResult;
    });

    // The delivered reel: vertical, 60–90 s, with sound, and exactly as long as the moment.
    expect(result.reelPath).toBe(path.join(config.outputDir, result.workflowId, 'reel.mp4'));
    const reel = await probe(result.reelPath);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(reel.audio).toBeDefined();
    expect(reel.durationS).toBeGreaterThanOrEqual(60);
    expect(reel.durationS).toBeLessThanOrEqual(90);
    const moment = JSON.parse(await readFile(path.join(result.workspace, 'moment.json'), 'utf8')) as Moment;
    expect(Math.abs(reel.durationS - (moment.endS - moment.startS))).toBeLessThan(0.15);
    expect(result.moment).toEqual({ startS: moment.startS, endS: moment.endS });

    // The sample is two people side by side, so the halves were stacked.
    const layout = JSON.parse(await readFile(path.join(result.workspace, 'layout.json'), 'utf8'));
    expect(layout.segments[0]).toMatchObject({ layout: 'side_by_side', strategy: 'stack_halves' });

    // Publishing assets pass their schema and quote the moment in every anchor.
    const assets = PublishingAssetsSchema.parse(JSON.parse(await readFile(result.assetsPath, 'utf8')));
    const spoken = moment.cues.map((cue) => cue.text).join(' ');
    for (const prompt of assets.veo3_prompts) expect(spoken).toContain(prompt.narrative_anchor);

    // events.jsonl has each stage's start and completion, in order.
    const events = (await readFile(path.join(result.workspace, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PipelineEvent);
    const completed = events.filter((e) => e.type === 'pipeline.stage.completed').map((e) => e.stage);
    expect(completed).toEqual([...REEL_STAGE_SEQUENCE]);
    // Each understanding stage passed its QA gate on the first attempt.
    const passed = events.filter((e) => e.type === 'pipeline.qa.passed');
    expect(passed.map((e) => [e.stage, e.data?.attempt])).toEqual([
      ['ROUTER', 1],
      ['RESEARCH', 1],
      ['TRANSCRIPT', 1],
      ['CONTENT', 1],
    ]);

    // B-roll: three clips generated through the real SDK, validated, and laid in as cutaways.
    const jobs = JSON.parse(await readFile(path.join(result.workspace, 'veo3', 'jobs.json'), 'utf8')).jobs as {
      status: string;
      idempotent_key: string;
    }[];
    expect(jobs.map((job) => job.status)).toEqual(['done', 'done', 'done']);
    expect(jobs.map((job) => job.idempotent_key)).toEqual(
      ['intro', 'broll', 'outro'].map((v) => `${result.workflowId}_${v}`),
    );
    expect(result.broll).toEqual({ requested: 3, generated: 3, placed: 3 });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['veo3.gate.started', 'veo3.gate.completed', 'veo3.job.status_changed']),
    );
    const placements = JSON.parse(await readFile(path.join(result.workspace, 'broll-placements.json'), 'utf8'))
      .placed as { startS: number; durationS: number }[];
    // Outside the cutaways the reel is the base picture.
    const covered = (t: number) => placements.some((p) => t > p.startS - 0.5 && t < p.startS + p.durationS + 0.5);
    const quiet = [1, ...placements.map((p) => p.startS + p.durationS + 1)].find(
      (t) => !covered(t) && t < reel.durationS,
    )!;
    // The reference: the base picture (same captions, no cutaway), drawn only around these times.
    const times = [...placements.map((p) => p.startS + p.durationS / 2), quiet];
    const base = await baseFrames(result.workspace, config.encoding, times, 54, 96);
    for (const [i, placement] of placements.entries()) {
      const at = placement.startS + placement.durationS / 2;
      expect(frameDifference(await grayFrame(result.reelPath, at, 54, 96), base[i]!)).toBeGreaterThan(10);
    }
    expect(frameDifference(await grayFrame(result.reelPath, quiet, 54, 96), base.at(-1)!)).toBeLessThan(4);
    expect(veo.stats.submissions).toBe(3);

    // The provider key never reaches history (inputs, results, signals), nor the workspace files.
    for (const id of [result.workflowId, `${result.workflowId}-broll`]) {
      const history = JSON.stringify(await temporal.client.workflow.getHandle(id).fetchHistory());
      expect(history.length).toBeGreaterThan(1000);
      expect(history).not.toContain(TEST_API_KEY);
    }
    for (const file of ['events.jsonl', 'veo3/jobs.json', 'request.json', 'publishing-assets.json']) {
      expect(await readFile(path.join(result.workspace, file), 'utf8')).not.toContain(TEST_API_KEY);
    }
    // A real run (real activities, real ffmpeg, the SDK against the local server) as a replay fixture.
    await maybeRecordHistory(temporal.address, result.workflowId, 'reel-real-run', ['broll']);
  });

  it('with a Gemini text model: reads the instructions, ranks moments, and reworks copy the QA gate rejected', async () => {
    // The local server answers generateContent like Gemini would, by what each prompt asks for.
    const asked: string[] = [];
    let copyAnswers = 0;
    veo.setContentResponder((_model, body) => {
      const prompt = (body.contents ?? [])
        .flatMap((c) => c.parts ?? [])
        .map((p) => p.text ?? '')
        .join('\n');
      const kind = prompt.includes('turn them into directives')
        ? 'directives'
        : prompt.includes('candidate moments')
          ? 'ranking'
          : 'copy';
      asked.push(kind);
      if (kind === 'directives') {
        return geminiAnswer({ narrative: { tone: 'calm', pacing: 'slow' }, overlays: [], cutaways: [], unparsed: [] });
      }
      if (kind === 'ranking') return geminiAnswer({ index: 0, reason: 'the clearest arc' });
      copyAnswers += 1;
      // First answer: an anchor nobody says. The gate must send it back with that in the feedback.
      const lines = [...prompt.matchAll(/^\[[\d.]+–[\d.]+ s\] (.+)$/gm)].map((m) => m[1]!);
      const anchor = copyAnswers === 1 ? 'words nobody ever said' : lines[1]!.split(' ').slice(0, 4).join(' ');
      return geminiAnswer({
        descriptions: ['A calm look at durable work.', 'Why nothing is paid for twice.', 'Slow down and listen.'],
        hashtags: ['#podcast', '#durable'],
        music_mood: 'calm piano',
        veo3_prompts: [{ variant: 'broll', prompt: 'quiet server room', narrative_anchor: anchor, duration_s: 8 }],
      });
    });
    const geminiConfig = testConfig(dir, {
      TEMPORAL_TASK_QUEUE: uniqueName('reel-e2e-gemini'),
      VEO3_POLL_INITIAL_S: '0.5',
      VEO3_POLL_MAX_S: '2',
    });
    const worker = await createWorker({
      connection: temporal.nativeConnection,
      config: geminiConfig,
      providers: {
        ...providersFor(veo, geminiConfig),
        text: new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: veo.url }),
      },
      workflowBundle: bundle,
    });
    const { result, progress } = await worker.runUntil(async () => {
      // 30 s moments: the file's 100 s sample holds several distinct ones for the model to rank, and
      // nothing here depends on the reel's length or frame (the first test checks the default 60–90 s
      // at 1080x1920; 1:1 is 0.56 of its pixels to encode).
      const handle = await startReel(temporal.client, geminiConfig.temporal.taskQueue, {
        source: sample.video,
        instructions: 'Keep it calm and slow.',
        clips: 1,
        durationS: 30,
        aspect: '1:1',
      });
      const result = (await handle.result()) as ReelResult;
      return { result, progress: await handle.query(progressQuery) };
    });
    veo.setContentResponder(undefined);

    expect(asked).toEqual(['directives', 'ranking', 'copy', 'copy']);
    const content = progress.stages.find((s) => s.stage === 'CONTENT')!;
    expect(content.qa?.map((a) => a.verdict)).toEqual(['REWORK', 'PASS']);
    expect(content.qa?.[0]?.feedback.join(' ')).toContain('"words nobody ever said"');
    // The kept attempt is published under its own name, and it is the model's second answer.
    const assets = PublishingAssetsSchema.parse(JSON.parse(await readFile(result.assetsPath, 'utf8')));
    expect(assets.generator).toBe('gemini text (gemini-2.5-flash)');
    const moment = JSON.parse(await readFile(path.join(result.workspace, 'moment.json'), 'utf8')) as Moment;
    expect(moment.ranking).toMatchObject({ by: 'gemini text (gemini-2.5-flash)', reason: 'the clearest arc' });
    expect(moment.cues.map((c) => c.text).join(' ')).toContain(assets.veo3_prompts[0]!.narrative_anchor);
    expect(JSON.parse(await readFile(path.join(result.workspace, 'directives.json'), 'utf8'))).toMatchObject({
      generator: 'gemini text (gemini-2.5-flash)',
      narrative: { tone: 'calm', pacing: 'slow' },
    });
    expect(result.broll).toEqual({ requested: 1, generated: 1, placed: 1 });
  }, 900_000); // a whole reel with real renders: generous for a busy machine

  it('fails at once, naming the file, when the instructions name a missing overlay', async () => {
    const worker = await runs.newWorker();
    const { error, history } = await worker.runUntil(async () => {
      const handle = await startReel(temporal.client, config.temporal.taskQueue, {
        source: sample.video,
        instructions: 'Focus on the launch. Overlay brand/missing-logo.png at 0:03 for 2s.',
      });
      const error = await handle.result().then(
        () => undefined,
        (err: unknown) => err as WorkflowFailedError,
      );
      return { error, history: await handle.fetchHistory() };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = error!.cause as ApplicationFailure;
    expect(cause.type).toBe('MEDIA_NOT_FOUND');
    expect(cause.message).toContain('brand/missing-logo.png');
    // "At once" without a clock: ROUTER ran a single attempt (no retries of a missing file) and no
    // other stage's work was ever scheduled.
    const scheduled = (history.events ?? []).flatMap((e) =>
      e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [],
    );
    // (Besides ROUTER: the events flush, and the host claim that pins a run to a workspace host.)
    expect(scheduled.filter((name) => name !== 'appendEvents' && name !== 'claimHost')).toEqual(['router']);
    const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    expect(started.every((e) => e.activityTaskStartedEventAttributes?.attempt === 1)).toBe(true);
  });
});
