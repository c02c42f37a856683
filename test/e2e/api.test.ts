/** The HTTP API against the test Temporal server (stand-in activities: this tests the API, not the stages). */
import { Validator } from '@seriousme/openapi-schema-validator';
import type { WorkflowBundle } from '@temporalio/worker';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app';
import { renderPromptClip } from '../../src/media/promptClip';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { crash, standInActivities } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal } from '../helpers/temporal';
import { eventually, withStandInWorker } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;
let dir: string;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
  dir = await tempDir('api');
});
afterAll(() => temporal?.close());

function appFor(taskQueue: string, token?: string) {
  const config = testConfig(dir, {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...(token ? { API_TOKEN: token } : {}),
  });
  return buildApp({ client: temporal.client, config });
}

describe('HTTP API', () => {
  it('serves an OpenAPI document that validates', async () => {
    const response = await appFor('unused').inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const result = await new Validator().validate(response.json());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(response.json().paths)).toHaveLength(18);
  });

  it('estimates a run before it starts (POST /api/estimate), and names a bad field', async () => {
    const app = appFor('unused');
    const ok = await app.inject({
      method: 'POST',
      url: '/api/estimate',
      payload: { kind: 'generate', request: { prompt: 'a fox in the snow', sceneCount: 3, clipDurationS: 4 } },
    });
    expect(ok.statusCode).toBe(200);
    // Offline settings: every line costs 0, and the table says so.
    expect(ok.json()).toMatchObject({ totalUsd: 0, offline: true });
    expect(ok.json().lines.find((l: { kind: string }) => l.kind === 'video')).toMatchObject({ quantity: 12 });
    expect(ok.json().table).toContain('Every call is served offline: nothing is paid.');
    // An episode counts its N clips' B-roll (the studio asks this before anything is uploaded).
    const episode = await app.inject({
      method: 'POST',
      url: '/api/estimate',
      payload: { kind: 'episode', request: { source: 'not-uploaded-yet.mp4', clips: 2, count: 3 } },
    });
    expect(episode.statusCode).toBe(200);
    expect(episode.json().lines.find((l: { kind: string }) => l.kind === 'video')).toMatchObject({
      quantity: 30,
      what: '3 clips × 2 B-roll clips (4 + 6 s)',
    });
    const bad = await app.inject({
      method: 'POST',
      url: '/api/estimate',
      payload: { kind: 'reel', request: { source: 'x.mp4', maxCostUsd: -1 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/maxCostUsd/);
  });

  it('reports whether Temporal is reachable', async () => {
    const response = await appFor('unused').inject({ method: 'GET', url: '/api/health' });
    expect(response.json()).toMatchObject({ status: 'ok', temporal: { reachable: true } });
  });

  it('rejects a bad body with 400 naming the field, and unknown or malformed ids', async () => {
    const app = appFor('unused');
    const reel = await app.inject({ method: 'POST', url: '/api/reels', payload: { source: 42 } });
    expect(reel.statusCode).toBe(400);
    expect(reel.json().error).toMatch(/source: /);
    const video = await app.inject({
      method: 'POST',
      url: '/api/generate',
      payload: { prompt: 'a fox', clipDurationS: 5 },
    });
    expect(video.statusCode).toBe(400);
    expect(video.json().error).toMatch(/clipDurationS/);
    expect((await app.inject({ method: 'GET', url: '/api/projects/reel-nope-000000' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/projects/reel-nope-000000/resume' })).statusCode).toBe(404);
    // One id limit for the schema, the OpenAPI document and the server: 200 characters pass routing, 201 are refused.
    const longest = `reel-${'a'.repeat(195)}`;
    expect(longest).toHaveLength(200);
    expect((await app.inject({ method: 'GET', url: `/api/projects/${longest}/status` })).statusCode).toBe(404);
    const tooLong = await app.inject({ method: 'GET', url: `/api/projects/${longest}x/status` });
    expect(tooLong.statusCode).not.toBe(200);
    expect([400, 414]).toContain(tooLong.statusCode);
    const traversal = await app.inject({ method: 'GET', url: '/api/projects/..%2F..%2Fetc/download' });
    expect(traversal.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/projects?kind=podcast' })).json().error).toMatch(/^kind: /);
  });

  it('starts an episode (202) whose status carries the ranked clips, and names a bad count', async () => {
    const bad = await appFor('unused').inject({
      method: 'POST',
      url: '/api/episodes',
      payload: { source: '/media/talk.mp4', count: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/count: /);
    const standIns = standInActivities({ outputDir: path.join(dir, 'output') });
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const app = appFor(taskQueue);
      const started = await app.inject({
        method: 'POST',
        url: '/api/episodes',
        payload: { source: '/media/talk.mp4', count: 2 },
      });
      expect(started.statusCode).toBe(202);
      const { projectId } = started.json() as { projectId: string };
      expect(projectId).toMatch(/^episode-talk-[0-9a-f]{6}$/);
      const done = await eventually(
        async () => (await app.inject({ method: 'GET', url: `/api/projects/${projectId}/status` })).json(),
        (s) => s.status === 'COMPLETED',
      );
      expect(done.clips.map((c: { rank: number; status: string }) => [c.rank, c.status])).toEqual([
        [1, 'delivered'],
        [2, 'delivered'],
      ]);
      const listed = await eventually(
        async () => (await app.inject({ method: 'GET', url: '/api/projects?kind=episode' })).json(),
        (l) => l.projects.some((p: { workflowId: string }) => p.workflowId === projectId),
      );
      expect(listed.projects.find((p: { workflowId: string }) => p.workflowId === projectId).kind).toBe('episode');
    });
  });

  it('starts a reel (202), lists it, details it, survives a restart, and streams the video with Range', async () => {
    const outputDir = path.join(dir, 'output');
    const standIns = standInActivities({ prompts: [], outputDir });
    standIns.failNext.renderSegments = [crash('encoder crashed')];
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      let app = appFor(taskQueue);
      const started = await app.inject({ method: 'POST', url: '/api/reels', payload: { source: '/media/talk.mp4' } });
      expect(started.statusCode).toBe(202);
      const { projectId } = started.json() as { projectId: string };

      const failed = await eventually(
        async () => (await app.inject({ method: 'GET', url: `/api/projects/${projectId}/status` })).json(),
        (s) => s.status === 'FAILED',
      );
      expect(failed).toMatchObject({
        stage: 'FFMPEG_ENGINEER',
        error: 'FFMPEG_ENGINEER: encoder crashed',
        awaitingResume: true,
        resumeWith: `POST /api/projects/${projectId}/resume`,
      });
      // No B-roll in this run: cancel is refused with the reason (409), resume answers with what it reran.
      const cancel = await app.inject({ method: 'POST', url: `/api/projects/${projectId}/broll/cancel` });
      expect(cancel.statusCode).toBe(409);
      expect(cancel.json().error).toMatch(/cancelBroll refused: no B-roll generation/);
      const resumed = await app.inject({ method: 'POST', url: `/api/projects/${projectId}/resume` });
      expect(resumed.statusCode).toBe(200);
      expect(resumed.json()).toEqual({
        projectId,
        update: 'resume',
        outcome: { stage: 'FFMPEG_ENGINEER', attempt: 2 },
      });

      // A restart of the API loses nothing: the runs live in Temporal.
      await app.close();
      app = appFor(taskQueue);
      const done = await eventually(
        async () => (await app.inject({ method: 'GET', url: `/api/projects/${projectId}` })).json(),
        (d) => d.execution === 'COMPLETED',
      );
      expect(done.progress.stages.map((s: { stage: string }) => s.stage)).toContain('DELIVERY');
      expect(done.result.reelPath).toBe(path.join(outputDir, projectId, 'reel.mp4'));
      const listed = await eventually(
        async () => (await app.inject({ method: 'GET', url: '/api/projects?kind=reel&status=COMPLETED' })).json(),
        (l) => l.projects.some((p: { workflowId: string }) => p.workflowId === projectId),
      );
      expect(listed.projects.find((p: { workflowId: string }) => p.workflowId === projectId)).toMatchObject({
        kind: 'reel',
        status: 'COMPLETED',
      });

      // The stand-in DELIVERY claimed this path; put a real video there and download it.
      await mkdir(path.join(outputDir, projectId), { recursive: true });
      await renderPromptClip({
        prompt: 'api',
        durationS: 4,
        width: 108,
        height: 192,
        output: path.join(outputDir, projectId, 'reel.mp4'),
      });
      const bytes = await readFile(path.join(outputDir, projectId, 'reel.mp4'));
      const whole = await app.inject({ method: 'GET', url: `/api/projects/${projectId}/download` });
      expect(whole.statusCode).toBe(200);
      expect(whole.headers['accept-ranges']).toBe('bytes');
      expect(Buffer.compare(whole.rawPayload, bytes)).toBe(0);
      const part = await app.inject({
        method: 'GET',
        url: `/api/projects/${projectId}/download`,
        headers: { range: 'bytes=10-109' },
      });
      expect(part.statusCode).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 10-109/${bytes.length}`);
      expect(Buffer.compare(part.rawPayload, bytes.subarray(10, 110))).toBe(0);
      const tail = await app.inject({
        method: 'GET',
        url: `/api/projects/${projectId}/download`,
        headers: { range: 'bytes=-16' },
      });
      expect(Buffer.compare(tail.rawPayload, bytes.subarray(bytes.length - 16))).toBe(0);
      expect(
        (
          await app.inject({
            method: 'GET',
            url: `/api/projects/${projectId}/download`,
            headers: { range: `bytes=${bytes.length + 5}-` },
          })
        ).statusCode,
      ).toBe(416);
      await app.close();
    });
  });

  it('serves only files inside the output folder', async () => {
    // This stand-in DELIVERY claims a path outside the API's output folder.
    const standIns = standInActivities({ prompts: [], outputDir: '/etc' });
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const app = appFor(taskQueue);
      const { projectId } = (
        await app.inject({ method: 'POST', url: '/api/reels', payload: { source: '/media/x.mp4' } })
      ).json() as { projectId: string };
      await eventually(
        async () => (await app.inject({ method: 'GET', url: `/api/projects/${projectId}` })).json(),
        (d) => d.execution === 'COMPLETED',
      );
      const response = await app.inject({ method: 'GET', url: `/api/projects/${projectId}/download` });
      expect(response.statusCode).toBe(404);
    });
  });

  it('requires the bearer token when one is configured (health stays open)', async () => {
    const app = appFor('unused', 'a-long-enough-test-token');
    expect((await app.inject({ method: 'GET', url: '/api/projects' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/api/projects', headers: { authorization: 'Bearer wrong' } }))
        .statusCode,
    ).toBe(401);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/projects',
          headers: { authorization: 'Bearer a-long-enough-test-token' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  it('answers over a real socket on 127.0.0.1', async () => {
    const app = appFor('unused');
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = app.server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { status: string }).status).toBe('ok');
    } finally {
      await app.close();
    }
  });
});
