/**
 * Two hosts without a shared disk: two worker processes with their own RUNS_DIR on one task queue.
 * Each run stays on the host that created its workspace (nothing split between folders); when one
 * host's worker is SIGKILLed mid-render, its ffmpeg dies with it, the other host keeps taking new
 * runs, and the killed host's run finishes once that host's worker is back.
 *
 * The API on host A (A's folders) serves the reel B made from B's worker, byte for byte and by
 * Range; an API on a third host answers 503 naming the queue for a run whose host (A) is down.
 *
 * Every reel here is 1:1 (about half of 9:16's pixels to encode): what is checked does not depend on the frame.
 *
 * Time is controlled by who is running: the first run can only be claimed by host A (B is not
 * started yet), the second only by B (A is dead by then).
 *
 * A host that never returns: a run pinned to a host whose worker is killed for good mid-render is
 * found by the liveness watch (media work keeps its 2-hour pickup timeout; the light pickup timeout
 * and the watch interval are short here), and moves to the other host (only that one is alive), restarts its stages
 * there and delivers; its status and summary say which host it left and why, and the clip the
 * offline Veo server accepted from the dead host is downloaded again on the new host, not submitted again.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app';
import { startEpisode, startReel } from '../../src/cli/runs';
import { HOST_FILE_CHUNK_BYTES } from '../../src/domain/hostFiles';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { EpisodeResult } from '../../src/domain/episode';
import type { ReelResult } from '../../src/domain/reel';
import { formatProgress } from '../../src/cli/runs';
import { probe } from '../../src/media/ffmpeg';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { startOfflineVeo } from '../helpers/offlineVeo';
import { testConfig } from '../helpers/config';
import { smallPodcast, tempDir } from '../helpers/media';
import type { TestTemporal } from '../helpers/temporal';
import { connectTestTemporal, prebuiltBundleEnv, uniqueName } from '../helpers/temporal';
import { eventually, maybeRecordHistory, progressOf } from '../helpers/workflows';

const ROOT = path.resolve(__dirname, '../..');
const STARTED = proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
let temporal: TestTemporal;
let dir: string;
let sample: SamplePodcast;
const workers: ChildProcess[] = [];
let veo: LocalVeoServer | undefined;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('two-hosts');
  sample = await smallPodcast(path.join(dir, 'sample'), 60);
});
afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await veo?.stop();
  await temporal?.close();
});

/** A worker process of host `name`: its own runs and output folders, like a machine of its own. */
function startHost(
  name: string,
  taskQueue: string,
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      RUNS_DIR: path.join(dir, name, 'runs'),
      OUTPUT_DIR: path.join(dir, name, 'output'),
      FFMPEG_PRESET: 'ultrafast',
      VEO3_CLIP_COUNT: '0',
      ...prebuiltBundleEnv(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  workers.push(child);
  return { child, output: () => output };
}

/** ffmpeg processes (anywhere on the machine) whose command line names `folder`. */
function ffmpegsOn(folder: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.startsWith('ffmpeg') && cmdline.includes(folder)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

const runsOf = (host: string) => {
  const runs = path.join(dir, host, 'runs');
  // Workspaces only: the offline Veo server keeps its store in a dot folder there.
  return existsSync(runs) ? readdirSync(runs).filter((name) => !name.startsWith('.')) : [];
};

describe('two hosts on one task queue', () => {
  it('keeps each run on its host, and finishes a killed host’s run when it returns', async () => {
    const taskQueue = uniqueName('hosts');
    const hostA = startHost('a', taskQueue);
    const first = await startReel(temporal.client, taskQueue, { source: sample.video, durationS: 30, aspect: '1:1' });
    const rendering = await eventually(
      () => progressOf(first),
      (p) => p.stage === 'FFMPEG_ENGINEER' || p.status !== 'RUNNING',
      600_000,
    );
    expect(rendering.stage, hostA.output()).toBe('FFMPEG_ENGINEER');
    expect(rendering.workspace).toBe(path.join(dir, 'a', 'runs', first.workflowId));

    const hostB = startHost('b', taskQueue);
    const exited = new Promise((resolve) => hostA.child.once('exit', resolve));
    hostA.child.kill('SIGKILL');
    await exited;
    // Nothing A started keeps rendering into A's folder.
    const orphans = await eventually(
      () => Promise.resolve(ffmpegsOn(path.join(dir, 'a'))),
      (left) => left.length === 0,
    );
    expect(orphans).toEqual([]);

    // An API on a third host (no files of its own) while A's worker is down: A holds the first run's files and does not answer.
    const apiFor = (host: string) =>
      buildApp({
        client: temporal.client,
        config: testConfig(path.join(dir, host), {
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
        }),
      });
    const apiElsewhere = apiFor('api');
    const hostDown = apiElsewhere.inject({
      method: 'GET',
      url: `/api/projects/${first.workflowId}/files/events.jsonl`,
    });

    // Only B is alive: the second run is B's from its first activity, while the first waits for A.
    const second = await startReel(temporal.client, taskQueue, { source: sample.video, durationS: 30, aspect: '1:1' });
    const claimed = await eventually(
      () => progressOf(second),
      (p) => p.workspace !== undefined,
      600_000,
    );
    expect(claimed.workspace, hostB.output()).toBe(path.join(dir, 'b', 'runs', second.workflowId));
    expect((await progressOf(first)).status).toBe('RUNNING');
    const down = await hostDown;
    expect(down.statusCode, down.body).toBe(503);
    expect(down.json().error).toContain(`${taskQueue}-host-`);
    await apiElsewhere.close();

    // A comes back (same runs folder, so the same host queues) and finishes its run; B finishes its own.
    const hostAAgain = startHost('a', taskQueue);
    const [firstResult, secondResult] = (await Promise.all([first.result(), second.result()])) as ReelResult[];
    expect(firstResult!.workspace, hostAAgain.output()).toBe(path.join(dir, 'a', 'runs', first.workflowId));
    expect(firstResult!.reelPath.startsWith(path.join(dir, 'a'))).toBe(true);
    expect(existsSync(firstResult!.reelPath)).toBe(true);
    expect(secondResult!.workspace, hostB.output()).toBe(path.join(dir, 'b', 'runs', second.workflowId));
    expect(secondResult!.reelPath.startsWith(path.join(dir, 'b'))).toBe(true);
    expect(existsSync(secondResult!.reelPath)).toBe(true);

    // None split: each run's workspace exists on its own host only.
    expect(runsOf('a')).toEqual([first.workflowId]);
    expect(runsOf('b')).toEqual([second.workflowId]);

    // The API on host A (A's folders) serves B's reel from B: the list, the whole file byte for byte, and a range across a chunk edge.
    const apiOnA = apiFor('a');
    const reelOnB = readFileSync(secondResult!.reelPath);
    const listed = await apiOnA.inject({ method: 'GET', url: `/api/projects/${second.workflowId}/files` });
    expect(listed.json().files).toContainEqual({ name: 'reel.mp4', bytes: reelOnB.length });
    const whole = await apiOnA.inject({ method: 'GET', url: `/api/projects/${second.workflowId}/files/reel.mp4` });
    expect(whole.statusCode, whole.body.slice(0, 300)).toBe(200);
    expect(whole.headers['content-length']).toBe(String(reelOnB.length));
    expect(whole.rawPayload.equals(reelOnB)).toBe(true);
    const edge = 4 * HOST_FILE_CHUNK_BYTES - 100;
    expect(reelOnB.length).toBeGreaterThan(edge + 200);
    const ranged = await apiOnA.inject({
      method: 'GET',
      url: `/api/projects/${second.workflowId}/download`,
      headers: { range: `bytes=${edge}-${edge + 199}` },
    });
    expect(ranged.statusCode, ranged.body.slice(0, 300)).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes ${edge}-${edge + 199}/${reelOnB.length}`);
    expect(ranged.rawPayload.equals(reelOnB.subarray(edge, edge + 200))).toBe(true);
    const missing = await apiOnA.inject({ method: 'GET', url: `/api/projects/${second.workflowId}/files/video.mp4` });
    expect(missing.statusCode).toBe(404);
    await apiOnA.close();

    hostB.child.kill('SIGTERM');
    hostAAgain.child.kill('SIGTERM');
  }, 1_500_000); // generous: three renders on a busy machine; nothing here races the clock
});

describe('a host that never returns', () => {
  it('moves a run pinned to a dead host to a live one, which delivers it without paying twice', async () => {
    const taskQueue = uniqueName('failover');
    veo = await startOfflineVeo(path.join(dir, 'veo'));
    // A short light pickup timeout and watch interval so the test does not wait minutes; media work
    // keeps its 2-hour pickup timeout: the liveness watch, not that timeout, must find the dead host.
    const env = {
      HOST_PICKUP_TIMEOUT_S: '20',
      HOST_WATCH_INTERVAL_S: '10',
      VEO3_CLIP_COUNT: '1',
      OFFLINE_VEO_URL: veo.url,
    };
    const gone = startHost('gone', taskQueue, env);
    const run = await startReel(temporal.client, taskQueue, { source: sample.video, durationS: 30, aspect: '1:1' });
    // Only `gone` is alive: it claims the run. Once the provider has accepted its clip (and the run
    // knows the job) and `gone` is rendering the run's picture, `gone` dies for good.
    const rendering = async () => {
      const { raw } = await run.describe();
      return (raw.pendingActivities ?? [])
        .filter((p) => Number(p.state) === STARTED)
        .map((p) => p.activityType?.name ?? '');
    };
    const pinned = await eventually(
      async () => ({ progress: await progressOf(run), media: await rendering() }),
      ({ progress: p, media }) =>
        (p.workspace !== undefined &&
          (p.broll?.submitted ?? 0) + (p.broll?.done ?? 0) > 0 &&
          media.some((name) => ['detectLayout', 'renderSegments'].includes(name))) ||
        p.status !== 'RUNNING',
      600_000,
    );
    expect(pinned.progress.workspace, gone.output()).toBe(path.join(dir, 'gone', 'runs', run.workflowId));
    const exited = new Promise((resolve) => gone.child.once('exit', resolve));
    gone.child.kill('SIGKILL');
    await exited;
    const spare = startHost('spare', taskQueue, env);

    const result = (await run.result()) as ReelResult;
    expect(result.workspace, spare.output()).toBe(path.join(dir, 'spare', 'runs', run.workflowId));
    const reel = await probe(result.reelPath);
    expect(result.reelPath.startsWith(path.join(dir, 'spare', 'output'))).toBe(true);
    expect(reel.video).toMatchObject({ width: 1080, height: 1080 });
    expect(reel.audio).toBeDefined();
    expect(reel.durationS).toBeGreaterThan(20);

    const progress = await progressOf(run);
    expect(progress.status).toBe('COMPLETED');
    expect(progress.hostChanges).toHaveLength(1);
    const [change] = progress.hostChanges!;
    expect(change!.from).not.toBe(change!.to);
    expect(gone.output()).toContain(`(host ${change!.from},`);
    expect(spare.output()).toContain(`(host ${change!.to},`);
    // Found by the liveness watch while a media call waited (its own pickup timeout is 2 hours).
    expect(change!.reason).toContain('did not answer a liveness check (hostAlive)');
    expect(['LAYOUT_DETECTIVE', 'FFMPEG_ENGINEER', 'ASSEMBLY']).toContain(change!.stage);
    expect(progress.stages.find((s) => s.error === change!.reason)?.stage).toBe(change!.stage);
    const status = formatProgress(progress);
    expect(status).toContain(`Moved from host ${change!.from} to ${change!.to} at ${change!.stage}`);
    const summary = readFileSync(path.join(path.dirname(result.reelPath), 'summary.md'), 'utf8');
    expect(summary).toContain('## Hosts');
    expect(summary).toContain(`Moved from host ${change!.from} to ${change!.to}`);

    // At most once: the clip the provider accepted from the dead host is not submitted again (its
    // intent is on the dead disk); the new host polls its job and downloads it, and the reel has it.
    expect(change!.brollAdopted).toBe(1);
    expect(summary).toContain('taking over 1 B-roll clip(s)');
    expect(veo.stats.submissions).toBe(1);
    expect(result.broll.generated).toBe(1);
    expect(existsSync(path.join(result.workspace, 'veo3', 'clips'))).toBe(true);
    expect(progress.events.some((e) => e.type === 'pipeline.host.changed')).toBe(true);
    expect(runsOf('spare')).toEqual([run.workflowId]);
    await maybeRecordHistory(temporal.address, run.workflowId, 'reel-host-watch');
    spare.child.kill('SIGTERM');
  }, 1_200_000); // generous: a pickup timeout and one render on a busy machine
  it('moves an episode whose host dies mid-clip: the delivered clip stays, the other is made on the new host', async () => {
    const taskQueue = uniqueName('episode-failover');
    const source = await smallPodcast(path.join(dir, 'sample-episode'), 80);
    const env = {
      HOST_PICKUP_TIMEOUT_S: '20',
      HOST_WATCH_INTERVAL_S: '10',
      EPISODE_PARALLEL_CLIPS: '1',
    };
    const gone = startHost('ep-gone', taskQueue, env);
    const episode = await startEpisode(temporal.client, taskQueue, {
      source: source.video,
      count: 2,
      durationS: 30,
      aspect: '1:1',
    });
    // Clip 1 delivers on `gone`; once clip 2 renders its picture there, `gone` dies for good.
    const clip2 = temporal.client.workflow.getHandle(`${episode.workflowId}-clip2`);
    const clip2Rendering = async () => {
      const { raw } = await clip2.describe();
      return (raw.pendingActivities ?? []).some(
        (p) => Number(p.state) === STARTED && ['detectLayout', 'renderSegments'].includes(p.activityType?.name ?? ''),
      );
    };
    const before = await eventually(
      async () => ({ progress: await progressOf(episode), rendering: await clip2Rendering() }),
      ({ progress: p, rendering }) => (p.clips?.[0]?.status === 'delivered' && rendering) || p.status !== 'RUNNING',
      600_000,
    );
    expect(
      before.progress.clips?.map((c) => c.status),
      gone.output(),
    ).toEqual(['delivered', 'running']);
    const exited = new Promise((resolve) => gone.child.once('exit', resolve));
    gone.child.kill('SIGKILL');
    await exited;
    const spare = startHost('ep-spare', taskQueue, env);

    const result = (await episode.result()) as EpisodeResult;
    expect(
      result.clips.map((c) => c.status),
      spare.output(),
    ).toEqual(['delivered', 'delivered']);
    // The delivered clip's files stay where it was made; the other is made again on the new host.
    expect(result.clips[0]!.reelPath!.startsWith(path.join(dir, 'ep-gone', 'output'))).toBe(true);
    expect(result.clips[1]!.reelPath!.startsWith(path.join(dir, 'ep-spare', 'output'))).toBe(true);
    const reel = await probe(result.clips[1]!.reelPath!);
    expect(reel.video).toMatchObject({ width: 1080, height: 1080 });
    expect(reel.durationS).toBeGreaterThan(20);
    const progress = await progressOf(episode);
    expect(progress.hostChanges).toHaveLength(1);
    expect(progress.hostChanges![0]).toMatchObject({ stage: 'CLIPS' });
    expect(progress.hostChanges![0]!.reason).toContain('did not answer a liveness check');
    // The moments picked on `gone` were written on the new host from history, not picked again.
    const restored = JSON.parse(
      readFileSync(path.join(dir, 'ep-spare', 'runs', episode.workflowId, 'moments', 'moment-2.json'), 'utf8'),
    ) as { startS: number; ranking: { by: string } };
    expect(restored.ranking.by).toBe('history');
    expect(restored.startS).toBe(result.clips[1]!.startS);
    spare.child.kill('SIGTERM');
  }, 1_200_000); // generous: two clips, a kill and a clip again on a busy machine
});
