/**
 * One reel run per provider fault, end to end: real activities, the real @google/genai SDK against
 * the local Veo server, real ffmpeg. Each run must finish, with the clip in the expected status.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import { startReel } from '../../src/cli/runs';
import type { AppConfig } from '../../src/config';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { PipelineEvent } from '../../src/domain/progress';
import type { ReelResult } from '../../src/domain/reel';
import { probe } from '../../src/media/ffmpeg';
import type { FaultRule } from '../../src/offlineVeo/faults';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { createWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { smallPodcast, tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo } from '../helpers/offlineVeo';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';

let temporal: TestTemporal;
let bundle: WorkflowBundle;
let dir: string;
let sample: SamplePodcast;
let config: AppConfig;
let veo: LocalVeoServer;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('faults');
  [bundle, sample] = await Promise.all([bundleWorkflows(), smallPodcast(path.join(dir, 'sample'), 60)]);
  config = testConfig(dir, {
    TEMPORAL_TASK_QUEUE: uniqueName('faults'),
    VEO3_CLIP_COUNT: '1',
    VEO3_TIMEOUT_S: '8',
    VEO3_POLL_INITIAL_S: '0.3',
    VEO3_POLL_MAX_S: '1',
    VEO3_RATE_LIMIT_ATTEMPTS: '2',
    VEO3_RATE_LIMIT_DELAY_S: '0.05',
  });
  veo = await startOfflineVeo(dir);
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

const cases: { fault: FaultRule['fault']; rule?: Partial<FaultRule>; status: string; event?: string }[] = [
  { fault: 'rate_limit', rule: { times: 1 }, status: 'done' },
  { fault: 'rate_limit', status: 'rate_limited', event: 'veo3.gate.retried' },
  { fault: 'invalid_argument', status: 'invalid_argument' },
  { fault: 'operation_error', status: 'generation_failed' },
  { fault: 'safety', status: 'rai_filtered' },
  { fault: 'slow', rule: { delayS: 2 }, status: 'done' },
  { fault: 'hang', status: 'timed_out', event: 'veo3.gate.timeout' },
  { fault: 'corrupt', status: 'invalid_clip' },
  { fault: 'black', status: 'invalid_clip' },
  { fault: 'download_404', status: 'download_failed' },
];

describe('B-roll faults end to end', () => {
  it.each(cases)('$fault $rule → $status, and the reel is delivered', async ({ fault, rule, status, event }) => {
    veo.setFaults([{ match: '', fault, ...rule }]);
    const rejectedBefore = veo.stats.rejected;
    // A 30 s moment keeps each run short; the B-roll path is the same.
    const handle = await startReel(temporal.client, config.temporal.taskQueue, { source: sample.video, durationS: 30 });
    const result = (await handle.result()) as ReelResult;

    const jobs = JSON.parse(await readFile(path.join(result.workspace, 'veo3', 'jobs.json'), 'utf8')).jobs as {
      status: string;
      error_message: string | null;
    }[];
    expect(jobs.map((job) => job.status)).toEqual([status]);
    if (status !== 'done') expect(jobs[0]!.error_message).toBeTruthy();
    expect(result.broll.generated).toBe(status === 'done' ? 1 : 0);

    const reel = await probe(result.reelPath);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(reel.audio).toBeDefined();
    if (event) {
      const events = (await readFile(path.join(result.workspace, 'events.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as PipelineEvent);
      expect(events.filter((e) => e.type === event)).toHaveLength(1);
    }
    if (fault === 'rate_limit' && rule?.times === 1) expect(veo.stats.rejected - rejectedBefore).toBe(1);
  });
});
