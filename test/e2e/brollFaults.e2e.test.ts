/**
 * Provider faults, with real activities, the real @google/genai SDK against the local Veo server
 * and real ffmpeg. Every fault the child workflow settles on its own (submit, poll, download,
 * validation) runs as one clip of a single brollGeneration run, all at once; the faults whose
 * outcome the reel's gate decides (its timeout, its one automatic retry) and a clip that must be
 * rejected rather than assembled each run a whole reel, which must be delivered.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReel } from '../../src/cli/runs';
import type { BrollInput, BrollJob, BrollSnapshot } from '../../src/domain/broll';
import { isSettled } from '../../src/domain/clipStatus';
import type { AppConfig } from '../../src/config';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { PipelineEvent } from '../../src/domain/progress';
import type { ReelResult } from '../../src/domain/reel';
import { probe } from '../../src/media/ffmpeg';
import type { FaultRule } from '../../src/offlineVeo/faults';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import type { TestTemporal } from '../helpers/temporal';
import { uniqueName } from '../helpers/temporal';
import type { RealRuns } from '../helpers/realRuns';
import { startRealRuns } from '../helpers/realRuns';
import { eventually, maybeRecordHistory } from '../helpers/workflows';
import { brollQuery, finishBrollSignal } from '../../src/workflows/definitions';

let runs: RealRuns;
let temporal: TestTemporal;
let dir: string;
let sample: SamplePodcast;
let config: AppConfig;
let veo: LocalVeoServer;

beforeAll(async () => {
  runs = await startRealRuns({
    name: 'faults',
    sampleS: 60,
    worker: true,
    env: {
      VEO3_CLIP_COUNT: '1',
      VEO3_TIMEOUT_S: '8',
      VEO3_POLL_INITIAL_S: '0.3',
      VEO3_POLL_MAX_S: '1',
      VEO3_RATE_LIMIT_ATTEMPTS: '2',
      VEO3_RATE_LIMIT_DELAY_S: '0.05',
    },
  });
  ({ temporal, dir, sample, config, veo } = runs);
});
afterAll(() => runs?.stop());

type Case = { fault: FaultRule['fault']; rule?: Partial<FaultRule>; status: string };

/** Settled by the child alone: one clip each, in one run. */
const childCases: Case[] = [
  { fault: 'rate_limit', rule: { times: 1 }, status: 'done' },
  { fault: 'invalid_argument', status: 'invalid_argument' },
  { fault: 'operation_error', status: 'generation_failed' },
  { fault: 'safety', status: 'rai_filtered' },
  { fault: 'slow', rule: { delayS: 2 }, status: 'done' },
  { fault: 'black', status: 'invalid_clip' },
  { fault: 'download_404', status: 'download_failed' },
];

/** Decided or checked by the reel: a whole run each. */
const reelCases: (Case & { event?: string })[] = [
  { fault: 'rate_limit', status: 'rate_limited', event: 'veo3.gate.retried' },
  { fault: 'hang', status: 'timed_out', event: 'veo3.gate.timeout' },
  { fault: 'corrupt', status: 'invalid_clip' },
];

describe('B-roll faults', () => {
  it('the child settles each clip with its own fault at once, and the others are not disturbed', async () => {
    // Each clip's prompt carries its own marker, which its fault rule matches.
    const marker = (c: Case) => `fault-${c.fault}-${c.rule?.times ?? c.rule?.delayS ?? 'all'}`;
    veo.setFaults(childCases.map((c) => ({ match: marker(c), fault: c.fault, ...c.rule })));
    const rejectedBefore = veo.stats.rejected;
    const workflowId = uniqueName('faults-child');
    const workspace = path.join(dir, 'runs', workflowId);
    const input: BrollInput = {
      runId: workflowId,
      workspace,
      prompts: childCases.map((c, i) => ({
        variant: `clip${i}`,
        prompt: `Documentary B-roll of a harbour at dawn, ${marker(c)}`,
        duration_s: 4,
        narrative_anchor: '',
      })),
      aspectRatio: '9:16',
      pollInitialS: config.veo3.pollInitialS,
      pollMaxS: config.veo3.pollMaxS,
    };
    const handle = await temporal.client.workflow.start('brollGeneration', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [input],
    });
    const settled = await eventually(
      () => handle.query(brollQuery),
      (jobs) => jobs.length === childCases.length && jobs.every((job) => isSettled(job.status)),
    );
    await handle.signal(finishBrollSignal, 'finished');
    const final = (await handle.result()) as BrollSnapshot;

    expect(settled.map((job) => job.status)).toEqual(childCases.map((c) => c.status));
    expect(final.jobs.map((job) => job.status)).toEqual(childCases.map((c) => c.status));
    const recorded = JSON.parse(await readFile(path.join(workspace, 'veo3', 'jobs.json'), 'utf8')).jobs as BrollJob[];
    expect(recorded.map((job) => job.status)).toEqual(childCases.map((c) => c.status));
    for (const job of final.jobs) {
      if (job.status === 'done') {
        expect(job.error_message).toBeNull();
        expect((await probe(job.video_path!)).video).toBeDefined();
      } else {
        expect(job.error_message).toBeTruthy();
      }
    }
    // Refused at submission: the one-off 429 and the invalid argument, once each. The 429 was retried
    // inside the same submission (one attempt) and made exactly one job.
    expect(veo.stats.rejected - rejectedBefore).toBe(2);
    const rateOnce = final.jobs[childCases.findIndex((c) => c.fault === 'rate_limit')]!;
    expect(rateOnce.attempts).toBe(1);
    expect(veo.stats.prompts.filter((p) => p === rateOnce.prompt)).toHaveLength(1);
  });

  it.each(reelCases)('$fault → $status, and the reel is delivered', async ({ fault, rule, status, event }) => {
    veo.setFaults([{ match: '', fault, ...rule }]);
    // A 30 s moment in the 1:1 frame (0.56 of 9:16's pixels to encode) keeps each run short; the
    // B-roll path is the same for every frame shape.
    const handle = await startReel(temporal.client, config.temporal.taskQueue, {
      source: sample.video,
      durationS: 30,
      aspect: '1:1',
    });
    const result = (await handle.result()) as ReelResult;

    const jobs = JSON.parse(await readFile(path.join(result.workspace, 'veo3', 'jobs.json'), 'utf8')).jobs as {
      status: string;
      error_message: string | null;
    }[];
    expect(jobs.map((job) => job.status)).toEqual([status]);
    expect(jobs[0]!.error_message).toBeTruthy();
    expect(result.broll.generated).toBe(0);

    const reel = await probe(result.reelPath);
    expect(reel.video).toMatchObject({ width: 1080, height: 1080 });
    expect(reel.audio).toBeDefined();
    if (event) {
      const events = (await readFile(path.join(result.workspace, 'events.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as PipelineEvent);
      expect(events.filter((e) => e.type === event)).toHaveLength(1);
    }
    // A real reel pinned to its host whose gate timed out, as a replay fixture.
    if (fault === 'hang')
      await maybeRecordHistory(temporal.address, result.workflowId, 'reel-host-gate-timeout', ['broll']);
  });
});
