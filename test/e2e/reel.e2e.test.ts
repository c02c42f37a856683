/** The whole reel pipeline: real activities, real ffmpeg on generated media, a real Temporal server. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowBundle } from '@temporalio/worker';
import { startReel } from '../../src/cli/runs';
import type { AppConfig } from '../../src/config';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { PipelineEvent } from '../../src/domain/progress';
import type { Moment, ReelResult } from '../../src/domain/reel';
import { PublishingAssetsSchema } from '../../src/domain/reel';
import { probe } from '../../src/media/ffmpeg';
import { createWorker } from '../../src/worker';
import { REEL_STAGE_SEQUENCE } from '../../src/workflows/stages';
import { testConfig } from '../helpers/config';
import { smallPodcast, tempDir } from '../helpers/media';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';

let temporal: TestTemporal;
let bundle: WorkflowBundle;
let dir: string;
let sample: SamplePodcast;
let config: AppConfig;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('e2e');
  [bundle, sample] = await Promise.all([bundleWorkflows(), smallPodcast(path.join(dir, 'sample'), 100)]);
  config = testConfig(dir, { TEMPORAL_TASK_QUEUE: uniqueName('reel-e2e') });
});
afterAll(() => temporal?.close());

describe('reel pipeline end to end (offline providers, real ffmpeg)', () => {
  it('turns a side-by-side podcast into a 1080x1920 reel of the chosen moment, with audio and publishing assets', async () => {
    const worker = await createWorker({ connection: temporal.nativeConnection, config, workflowBundle: bundle });
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
  });
});
