/**
 * Prompt to video across hosts: a run pinned to a host that stops serving its queues during
 * VIDEO_GEN moves to another host. The new host writes the storyboard it already had (no model
 * call), takes over the clips the provider accepted (polled and downloaded again, never submitted
 * again), draws no key frames it does not need, and stitches the video in its own folders.
 *
 * Two hosts in this process, each with its own runs and output folders (its own host queues), on one
 * task queue; the real activities, ffmpeg, the @google/genai SDK against the local Veo server, and a
 * real Temporal server. Time is controlled by the test: the provider holds every clip "generating"
 * until the first host has stopped, and the second host starts only after the first has claimed the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { startVideo } from '../../src/cli/runs';
import type { VideoResult } from '../../src/domain/video';
import { probe } from '../../src/media/ffmpeg';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import type { HostWorkers } from '../../src/worker';
import { createWorkers } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo } from '../helpers/offlineVeo';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, maybeRecordHistory, progressOf } from '../helpers/workflows';
import type { WorkflowBundle } from '@temporalio/worker';

let temporal: TestTemporal;
let bundle: WorkflowBundle;
let dir: string;
let veo: LocalVeoServer;
const running: { workers: HostWorkers; done: Promise<void> }[] = [];

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
  dir = await tempDir('video-hosts');
  veo = await startOfflineVeo(path.join(dir, 'veo'));
});
afterAll(async () => {
  for (const { workers, done } of running) {
    workers.shutdown();
    await done;
  }
  await veo?.stop();
  await temporal?.close();
});

/** Host `name`'s workers: the shared queue and its own host and media queues, its own folders. */
async function startHost(name: string, taskQueue: string) {
  const config = testConfig(path.join(dir, name), {
    TEMPORAL_TASK_QUEUE: taskQueue,
    VEO3_POLL_INITIAL_S: '0.3',
    VEO3_POLL_MAX_S: '1',
    // A host that does not pick its work up within this is lost (the default is minutes).
    HOST_PICKUP_TIMEOUT_S: '3',
  });
  const providers = providersFor(veo, config);
  const workers = await createWorkers({
    connection: temporal.nativeConnection,
    config,
    providers,
    workflowBundle: bundle,
  });
  const host = { workers, done: workers.run(), providers, config };
  running.push(host);
  return host;
}

describe('prompt to video on two hosts', () => {
  it('moves a video whose host stops during VIDEO_GEN, taking over its accepted clips without paying twice', async () => {
    const taskQueue = uniqueName('video-hosts');
    veo.holdGeneration();
    const first = await startHost('first', taskQueue);
    const handle = await startVideo(temporal.client, taskQueue, {
      prompt: 'a paper boat drifts down a rain gutter at dusk',
      aspectRatio: '9:16',
      clipDurationS: 4,
      sceneCount: 2,
    });
    // Both clips accepted by the provider and still generating: the first host stops serving.
    const generating = await eventually(
      () => progressOf(handle),
      (p) => (p.broll?.submitted ?? 0) === 2 || p.status !== 'RUNNING',
      600_000,
    );
    expect(generating.stage).toBe('VIDEO_GEN');
    expect(generating.workspace).toBe(path.join(dir, 'first', 'runs', handle.workflowId));
    const asked = { text: first.providers.text.calls, image: first.providers.image.calls };
    first.workers.shutdown();
    await first.done;
    const second = await startHost('second', taskQueue);
    veo.releaseGeneration();

    // A run that did not move would wait for resume on the lost host: stop there, not at the test's timeout.
    const settled = await eventually(
      () => progressOf(handle),
      (p) => p.status !== 'RUNNING' || p.awaitingResume === true,
      600_000,
    );
    expect(settled, settled.error).toMatchObject({ status: 'COMPLETED' });
    const result = (await handle.result()) as VideoResult;
    expect(result.workspace).toBe(path.join(dir, 'second', 'runs', handle.workflowId));
    expect(result.videoPath.startsWith(path.join(dir, 'second', 'output'))).toBe(true);
    const info = await probe(result.videoPath);
    expect(info.video).toMatchObject({ width: 720, height: 1280 });
    expect(Math.abs(info.durationS - 8)).toBeLessThan(0.2);
    expect(result.clipPaths.every((clip) => clip.startsWith(result.workspace) && existsSync(clip))).toBe(true);

    const progress = await progressOf(handle);
    expect(progress.status).toBe('COMPLETED');
    expect(progress.hostChanges).toHaveLength(1);
    const [change] = progress.hostChanges!;
    expect(change).toMatchObject({
      from: first.config.host.hostId,
      to: second.config.host.hostId,
      stage: 'VIDEO_GEN',
      brollAdopted: 2,
    });
    expect(change!.reason).toContain('pickup timeout');
    // At most once: the provider saw two submissions in all; the new host polled and downloaded them.
    expect(veo.stats.submissions).toBe(2);
    // Nothing asked again: the storyboard came from history, and no scene needed new key frames.
    expect(first.providers.text.calls).toBe(asked.text);
    expect(second.providers.text.calls).toBe(0);
    expect(second.providers.image.calls).toBe(0);
    expect(progress.stages.map((s) => s.stage)).toEqual([
      'STORYBOARD',
      'KEYFRAMES',
      'VIDEO_GEN',
      'STORYBOARD',
      'VIDEO_GEN',
      'STITCH',
    ]);
    await maybeRecordHistory(temporal.address, handle.workflowId, 'video-host-failover', ['clips', 'clips-2']);
  }, 900_000); // generous: a pickup timeout and a few small renders on a busy machine
});
