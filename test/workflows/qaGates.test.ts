/** The QA gate loop in reelPipeline, on a real Temporal dev server with stand-in activities. */
import type { WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/domain/progress';
import type { QaVerdict } from '../../src/domain/qa';
import type { ReelResult } from '../../src/domain/reel';
import { progressQuery, resumeUpdate } from '../../src/workflows/definitions';
import type { StandInOptions, StandIns } from '../helpers/standInActivities';
import { standInActivities, THREE_PROMPTS } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, maybeRecordHistory, withStandInWorker } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
});
afterAll(() => temporal?.close());

const rework = (score: number, line: string): QaVerdict => ({ verdict: 'REWORK', score, feedback: [line] });
const pass: QaVerdict = { verdict: 'PASS', score: 1, feedback: [] };

async function runReel(options: StandInOptions, name: string) {
  const standIns: StandIns = standInActivities(options);
  const workflowId = uniqueName(name);
  const outcome = await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
    const handle = await temporal.client.workflow.start('reelPipeline', {
      taskQueue,
      workflowId,
      args: [{ source: '/media/episode.mp4', topic: 'latency' }],
    });
    const result = (await handle.result()) as ReelResult;
    return { result, progress: await handle.query(progressQuery) };
  });
  return { ...outcome, standIns, workflowId };
}

const stageRecord = (progress: Progress, stage: string) => progress.stages.find((s) => s.stage === stage)!;

describe('QA gates', () => {
  it('checks each gated stage once when everything passes', async () => {
    const { standIns } = await runReel({}, 'reel-qa-pass');
    expect(standIns.qaChecks.map((check) => check.stage)).toEqual(['ROUTER', 'RESEARCH', 'TRANSCRIPT', 'CONTENT']);
    expect(standIns.calls.keepArtifact ?? 0).toBe(0);
    expect(standIns.qaChecks[2]).toMatchObject({
      stage: 'TRANSCRIPT',
      topic: 'latency',
      artifactPath: expect.stringMatching(/moment\.json$/),
    });
  });

  it('reworks with the feedback and keeps the attempt that passes', async () => {
    const { result, progress, standIns, workflowId } = await runReel(
      { prompts: THREE_PROMPTS, qa: { TRANSCRIPT: [rework(0.5, 'the moment ends mid-sentence'), pass] } },
      'reel-qa-rework',
    );
    const reworks = standIns.reworks.filter((r) => r.activity === 'pickMoment');
    expect(reworks.map((r) => r.attempt)).toEqual([1, 2]);
    expect(reworks[1]).toMatchObject({
      feedback: ['the moment ends mid-sentence'],
      avoid: [{ startS: 30, endS: 105 }],
    });
    // The second attempt's window is the one the reel is cut from, published under moment.json.
    expect(result.moment).toEqual({ startS: 40, endS: 115 });
    expect(standIns.calls.keepArtifact).toBe(1);
    const qa = stageRecord(progress, 'TRANSCRIPT').qa!;
    expect(qa.map((a) => [a.attempt, a.verdict])).toEqual([
      [1, 'REWORK'],
      [2, 'PASS'],
    ]);
    expect(qa[1]!.artifactPath).toMatch(/moment\.attempt-2\.json$/);
    const events = standIns.events.filter((e) => e.type.startsWith('pipeline.qa.') && e.stage === 'TRANSCRIPT');
    expect(events.map((e) => e.type)).toEqual(['pipeline.qa.rework_requested', 'pipeline.qa.passed']);
    await maybeRecordHistory(temporal.address, workflowId, 'reel-qa-rework', ['broll']);
  });

  it('keeps the best-scoring attempt after three reworks, and says so', async () => {
    const { progress, standIns } = await runReel(
      { qa: { CONTENT: [rework(0.5, 'first'), rework(0.9, 'second'), rework(0.7, 'third')] } },
      'reel-qa-best',
    );
    expect(standIns.reworks.filter((r) => r.activity === 'writePublishingAssets').map((r) => r.attempt)).toEqual([
      1, 2, 3,
    ]);
    const kept = standIns.events.find((e) => e.type === 'pipeline.qa.best_kept')!;
    expect(kept).toMatchObject({ stage: 'CONTENT', data: { attempt: 2, score: 0.9 } });
    // Attempt 2's file is published under the usual name, and that is what DELIVERY gets.
    expect(standIns.kept).toEqual(['/stand-in/runs/x/publishing-assets.attempt-2.json']);
    expect(standIns.delivered).toEqual([{ assetsPath: '/stand-in/runs/x/publishing-assets.json' }]);
    expect(stageRecord(progress, 'CONTENT').qa).toHaveLength(3);
    expect(progress.status).toBe('COMPLETED');
  });

  it('keeps nothing when no attempt was usable: the stage fails and waits for resume', async () => {
    const unusable = (n: number) => ({ verdict: 'REWORK' as const, score: 0, feedback: [`schema broken ${n}`] });
    const standIns = standInActivities({ qa: { ROUTER: [unusable(1), unusable(2), unusable(3), pass] } });
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId: uniqueName('reel-qa-unusable'),
        args: [{ source: '/media/episode.mp4' }],
      });
      const failed = await eventually(
        () => handle.query(progressQuery),
        (p) => p.awaitingResume === true,
      );
      expect(failed.stage).toBe('ROUTER');
      expect(failed.error).toContain('no usable attempt in 3: schema broken 3');
      expect(standIns.calls.research ?? 0).toBe(0);
      await handle.executeUpdate(resumeUpdate);
      await handle.result();
    });
    expect(standIns.calls.keepArtifact ?? 0).toBe(0);
    expect(standIns.qaChecks.filter((c) => c.stage === 'ROUTER')).toHaveLength(4);
  });

  it('stops the stage on FAIL and waits for resume', async () => {
    const standIns = standInActivities({
      qa: { RESEARCH: [{ verdict: 'FAIL', score: 0, feedback: ['the transcript has no cues'] }, pass] },
    });
    const workflowId = uniqueName('reel-qa-fail');
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId,
        args: [{ source: '/media/episode.mp4' }],
      });
      const failed = await eventually(
        () => handle.query(progressQuery),
        (p) => p.awaitingResume === true,
      );
      expect(failed.stage).toBe('RESEARCH');
      expect(failed.error).toContain('the transcript has no cues');
      await handle.executeUpdate(resumeUpdate);
      await handle.result();
    });
    expect(standIns.qaChecks.filter((c) => c.stage === 'RESEARCH')).toHaveLength(2);
  });
});
