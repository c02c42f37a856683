/**
 * An episode end to end: real activities, real ffmpeg on a 6-minute generated podcast, a real
 * Temporal server. Three distinct moments, a ranked table, each clip delivered inside the episode's
 * folder, and one clip failing (its output folder is blocked) without failing the others; then that
 * clip resumes on its own workflow and rewrites the closed episode's index.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowBundle } from '@temporalio/worker';
import type { AppConfig } from '../../src/config';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { generateSamplePodcast } from '../../src/dev/samplePodcast';
import type { EpisodeResult } from '../../src/domain/episode';
import { clipWorkflowId } from '../../src/domain/episode';
import type { Moment, ReelResult } from '../../src/domain/reel';
import { normaliseText } from '../../src/domain/text';
import { probe } from '../../src/media/ffmpeg';
import { PipelineKindKey, progressQuery, resumeUpdate, WORKFLOW_TYPES } from '../../src/workflows/definitions';
import { createWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo } from '../helpers/offlineVeo';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, maybeRecordHistory } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;
let dir: string;
let sample: SamplePodcast;
let config: AppConfig;
let veo: LocalVeoServer;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('episode');
  // A 6-minute source, as the issue asks: analysed once, cut into three 30–35 s moments. Small
  // frames at 5 fps keep making and decoding it cheap (the clips' renders do not depend on its length).
  const source = { dir: path.join(dir, 'sample'), durationS: 360, width: 640, height: 360, fps: 5, speech: false };
  [bundle, sample] = await Promise.all([bundleWorkflows(), generateSamplePodcast(source)]);
  config = testConfig(dir, { TEMPORAL_TASK_QUEUE: uniqueName('episode-e2e'), EPISODE_PARALLEL_CLIPS: '2' });
  veo = await startOfflineVeo(dir);
});
afterAll(async () => {
  await veo?.stop();
  await temporal?.close();
});

async function scheduledActivities(workflowId: string): Promise<string[]> {
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

describe('episode end to end (offline providers, real ffmpeg)', () => {
  it('cuts three distinct ranked clips; one failing clip waits on its own workflow while the others deliver', async () => {
    expect((await probe(sample.video)).durationS).toBeCloseTo(360, 0);
    const workflowId = uniqueName('episode-e2e');
    const blocked = clipWorkflowId(workflowId, 2);
    // A file where clip 2's output folder belongs (inside the episode's): its DELIVERY fails until the file is gone.
    const episodeDir = path.join(config.outputDir, workflowId);
    await mkdir(episodeDir, { recursive: true });
    await writeFile(path.join(episodeDir, 'clip-2'), 'not a folder');

    const worker = await createWorker({
      connection: temporal.nativeConnection,
      config,
      providers: providersFor(veo, config),
      workflowBundle: bundle,
    });
    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(WORKFLOW_TYPES.episode, {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        // 1:1 (0.56 of 9:16's pixels to encode), which the episode hands to each clip.
        args: [{ source: sample.video, count: 3, durationS: 30, clips: 0, aspect: '1:1' }],
        typedSearchAttributes: [{ key: PipelineKindKey, value: 'episode' }],
      });
      const result = (await handle.result()) as EpisodeResult;

      // Three moments, best first, no two sharing a second, each with its hook and reason.
      expect(result.clips.map((c) => c.rank)).toEqual([1, 2, 3]);
      const scores = result.clips.map((c) => c.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const [i, a] of result.clips.entries()) {
        expect(a.score).toBeGreaterThan(0);
        expect(a.score).toBeLessThanOrEqual(100);
        expect(a.hook.length).toBeGreaterThan(0);
        expect(a.hook.length).toBeLessThanOrEqual(60);
        for (const b of result.clips.slice(i + 1)) expect(a.endS <= b.startS || b.endS <= a.startS).toBe(true);
      }

      // Clip 2 waits for resume at DELIVERY; clips 1 and 3 delivered anyway.
      expect(result.clips.map((c) => c.status)).toEqual(['delivered', 'waiting', 'delivered']);
      expect(result.clips[1]).toMatchObject({ stage: 'DELIVERY', workflowId: blocked });
      expect(result.waiting).toEqual([{ workflowId: blocked, command: `reelflow resume ${blocked}` }]);
      for (const clip of [result.clips[0]!, result.clips[2]!]) {
        // Each clip delivers inside the episode's folder, its caption files beside the reel.
        expect(clip.reelPath).toBe(path.join(episodeDir, `clip-${clip.rank}`, 'reel.mp4'));
        expect((await stat(path.join(episodeDir, `clip-${clip.rank}`, 'reel.srt'))).size).toBeGreaterThan(0);
        // Its summary gives its own estimate (its copy and B-roll) beside what it spent.
        const summary = await readFile(path.join(episodeDir, `clip-${clip.rank}`, 'summary.md'), 'utf8');
        expect(summary).toContain('| **total** | **$0.00** | **$0.00** |');
        const reel = await probe(clip.reelPath!);
        expect(reel.video).toMatchObject({ width: 1080, height: 1080 });
        expect(reel.audio).toBeDefined();
        expect(Math.abs(reel.durationS - (clip.endS - clip.startS))).toBeLessThan(0.15);
        // The reason quotes the clip's own moment.
        const moment = JSON.parse(
          await readFile(path.join(config.runsDir, clip.workflowId, 'moment.json'), 'utf8'),
        ) as Moment;
        const quote = /"([^"]+)"$/.exec(clip.reason)![1]!;
        expect(normaliseText(moment.cues.map((c) => c.text).join(' '))).toContain(normaliseText(quote));
        expect(moment).toMatchObject({ startS: clip.startS, endS: clip.endS, hook: clip.hook });
      }

      // The ranked table in index.md and index.json.
      const index = await readFile(result.indexPath, 'utf8');
      expect(result.indexPath).toBe(path.join(config.outputDir, workflowId, 'index.md'));
      expect(index).toContain('| rank | score | hook | reason | time | duration | path | cost | status |');
      expect(index).toContain(`reelflow resume ${blocked}`);
      expect(index).toContain(result.clips[0]!.reelPath!);
      expect(JSON.parse(await readFile(result.indexJsonPath, 'utf8')).clips).toEqual(result.clips);

      // ROUTER was told the clip count, so the estimate it records counts each clip's copy and B-roll.
      const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
      const routerInput = (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .find((a) => a?.activityType?.name === 'router')!.input!.payloads![0]!;
      expect(JSON.parse(Buffer.from(routerInput.data!).toString('utf8'))).toMatchObject({ reels: 3 });

      // The source was analysed once: only the episode ran RESEARCH and the moment scoring.
      const episodeActivities = await scheduledActivities(workflowId);
      expect(episodeActivities.filter((name) => name === 'research')).toHaveLength(1);
      expect(episodeActivities.filter((name) => name === 'pickMoments')).toHaveLength(1);
      for (const clip of result.clips) {
        const activities = await scheduledActivities(clip.workflowId);
        expect(activities).not.toContain('research');
        expect(activities).not.toContain('pickMoments');
        expect(activities).toContain('renderSegments');
      }

      // Unblocked, the waiting clip resumes on its own workflow and delivers.
      await rm(path.join(episodeDir, 'clip-2'));
      const clip = temporal.client.workflow.getHandle(blocked);
      await eventually(
        () => clip.query(progressQuery),
        (p) => p.awaitingResume === true,
      );
      await clip.executeUpdate(resumeUpdate);
      const delivered = (await clip.result()) as ReelResult;
      expect(delivered.reelPath).toBe(path.join(episodeDir, 'clip-2', 'reel.mp4'));
      expect((await stat(delivered.reelPath)).size).toBeGreaterThan(0);
      // The episode had closed: the clip's delivery rewrote its index (the row, not the rest).
      const rewritten = JSON.parse(await readFile(result.indexJsonPath, 'utf8')) as EpisodeResult;
      expect(rewritten.clips.map((c) => c.status)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(rewritten.clips[1]).toMatchObject({ reelPath: delivered.reelPath, stage: 'COMPLETED' });
      expect(rewritten.clips[1]!.error).toBeUndefined();
      expect(rewritten.clips[0]).toEqual(result.clips[0]);
      const rewrittenIndex = await readFile(result.indexPath, 'utf8');
      expect(rewrittenIndex).toContain('3 clips, best first: 3 delivered.');
      expect(rewrittenIndex).toContain(delivered.reelPath);
      expect(rewrittenIndex).not.toContain(`reelflow resume ${blocked}`);
      // A real episode (three clip workflows, one resumed) as a replay fixture.
      await maybeRecordHistory(temporal.address, workflowId, 'episode-real-run', ['clip1', 'clip2', 'clip3']);
    });
  }, 900_000);
});
