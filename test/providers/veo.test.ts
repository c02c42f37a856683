/** The real @google/genai 2.32.0 SDK against the local Veo server: wire format, faults, idempotency. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/media/ffmpeg';
import type { FaultRule } from '../../src/offlineVeo/faults';
import { LocalVeoServer } from '../../src/offlineVeo/server';
import type { PollOutcome } from '../../src/providers/video/types';
import { VeoVideoModel } from '../../src/providers/video/veo';
import { tempDir } from '../helpers/media';

let dir: string;
let server: LocalVeoServer;
let veo: VeoVideoModel;

const faults: FaultRule[] = [
  { match: 'RATE2', fault: 'rate_limit', times: 2 },
  { match: 'RATEALWAYS', fault: 'rate_limit' },
  { match: 'BADARG', fault: 'invalid_argument' },
  { match: 'OPERR', fault: 'operation_error' },
  { match: 'UNSAFE', fault: 'safety' },
  { match: 'SLOW', fault: 'slow', delayS: 1.5 },
  { match: 'HANG', fault: 'hang' },
  { match: 'CORRUPT', fault: 'corrupt' },
  { match: 'BLACK', fault: 'black' },
  { match: 'GONE', fault: 'download_404' },
];

function model(options: Partial<ConstructorParameters<typeof VeoVideoModel>[0]> = {}): VeoVideoModel {
  return new VeoVideoModel({
    name: 'test-veo',
    models: ['veo-3.1-generate-preview'],
    apiKey: 'test-key-not-secret',
    baseUrl: server.url,
    rateLimit: { attempts: 3, initialDelayS: 0.05 },
    ...options,
  });
}

/** Polls until the operation is no longer running (bounded). */
async function settle(
  m: VeoVideoModel,
  operation: string,
  destination: string,
  timeoutMs = 30_000,
): Promise<PollOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await m.poll(operation, destination);
    if (outcome.state !== 'running' || Date.now() > deadline) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

beforeAll(async () => {
  dir = await tempDir('veo');
  server = new LocalVeoServer({ stateDir: path.join(dir, 'server'), faults });
  await server.start();
  veo = model();
});
afterAll(() => server?.stop());

const clip = (key: string, prompt: string) => ({ key, prompt, durationS: 4 as const, aspectRatio: '9:16' as const });

describe('Veo adapter with the real SDK against the local server', () => {
  it('submits, polls and downloads a real 720x1280 clip of the asked duration', async () => {
    const operation = await veo.submit(clip('run1_intro', 'a lighthouse at dusk'));
    expect(operation).toMatch(/^models\/veo-3\.1-generate-preview\/operations\/[a-z0-9]+$/);
    const destination = path.join(dir, 'ok.mp4');
    expect(await settle(veo, operation, destination)).toEqual({ state: 'downloaded' });
    const info = await probe(destination);
    expect(info.video).toMatchObject({ width: 720, height: 1280 });
    expect(info.durationS).toBeCloseTo(4, 0);
  });

  it('never creates a second job for the same idempotency key', async () => {
    const before = server.stats.submissions;
    const first = await veo.submit(clip('run1_broll', 'rain on a window'));
    const second = await veo.submit(clip('run1_broll', 'rain on a window'));
    expect(second).toBe(first);
    expect(server.stats.submissions - before).toBe(1);
  });

  it('retries 429 with backoff and succeeds when the limit clears', async () => {
    const operation = await veo.submit(clip('rate-2', 'RATE2 city traffic'));
    expect(operation).toMatch(/operations/);
  });

  it('marks a job rate_limited when 429 persists after the retries', async () => {
    await expect(veo.submit(clip('rate-x', 'RATEALWAYS forest'))).rejects.toMatchObject({ status: 'rate_limited' });
  });

  it('classifies INVALID_ARGUMENT as permanent', async () => {
    await expect(veo.submit(clip('bad', 'BADARG something'))).rejects.toMatchObject({ status: 'invalid_argument' });
  });

  it.each([
    ['OPERR', 'generation_failed'],
    ['UNSAFE', 'rai_filtered'],
    ['GONE', 'download_failed'],
  ])('a finished operation with %s ends as %s', async (marker, status) => {
    const operation = await veo.submit(clip(`fault-${marker}`, `${marker} desert road`));
    const outcome = await settle(veo, operation, path.join(dir, `${marker}.mp4`));
    expect(outcome).toMatchObject({ state: 'failed', status });
  });

  it('a slow operation finishes late, and a hanging one keeps running', async () => {
    const slow = await veo.submit(clip('slow', 'SLOW mountain'));
    expect(await veo.poll(slow, path.join(dir, 'slow.mp4'))).toEqual({ state: 'running' });
    expect(await settle(veo, slow, path.join(dir, 'slow.mp4'))).toEqual({ state: 'downloaded' });
    const hang = await veo.submit(clip('hang', 'HANG ocean'));
    expect(await settle(veo, hang, path.join(dir, 'hang.mp4'), 1_500)).toEqual({ state: 'running' });
  });

  it('downloads corrupt and black clips as they are (the validator rejects them)', async () => {
    for (const marker of ['CORRUPT', 'BLACK']) {
      const operation = await veo.submit(clip(`fault-${marker}`, `${marker} field`));
      expect(await settle(veo, operation, path.join(dir, `${marker}.mp4`))).toEqual({ state: 'downloaded' });
    }
    await expect(probe(path.join(dir, 'CORRUPT.mp4'))).rejects.toThrow();
  });

  it('needs a key (the SDK sent it as the x-goog-api-key header, which the server requires, never in the URL)', async () => {
    expect(() => model({ apiKey: undefined })).toThrow(/GEMINI_API_KEY/);
    const submitUrl = `${server.url}/v1beta/models/veo-3.1-generate-preview:predictLongRunning`;
    const body = JSON.stringify({ instances: [{ prompt: 'x' }], parameters: { durationSeconds: 4 } });
    expect((await fetch(submitUrl, { method: 'POST', body })).status).toBe(401);
    expect(
      (await fetch(`${submitUrl}?key=abc`, { method: 'POST', body, headers: { 'x-goog-api-key': 'abc' } })).status,
    ).toBe(400);
  });

  it('works in Vertex AI express mode (inline video bytes)', async () => {
    const vertex = new VeoVideoModel({
      name: 'test-veo-vertex',
      models: ['veo-3.1-generate-preview'],
      apiKey: 'test-key-not-secret',
      vertex: {},
      baseUrl: server.url,
      rateLimit: { attempts: 1, initialDelayS: 0.05 },
    });
    const operation = await vertex.submit(clip('vertex_intro', 'a vertex lighthouse'));
    const destination = path.join(dir, 'vertex.mp4');
    expect(await settle(vertex, operation, destination)).toEqual({ state: 'downloaded' });
    expect((await probe(destination)).video).toMatchObject({ width: 720, height: 1280 });
  });

  it('answers for its jobs after a restart, and never repeats a submission', async () => {
    const operation = await veo.submit(clip('restart_key', 'a train crossing a bridge'));
    await server.stop();
    const again = new LocalVeoServer({ stateDir: path.join(dir, 'server') });
    await again.start();
    try {
      const after = model({ baseUrl: again.url });
      expect(await settle(after, operation, path.join(dir, 'restart.mp4'))).toEqual({ state: 'downloaded' });
      expect(await after.submit(clip('restart_key', 'a train crossing a bridge'))).toBe(operation);
      expect(again.stats.submissions).toBe(0);
    } finally {
      await again.stop();
      server = new LocalVeoServer({ stateDir: path.join(dir, 'server-2'), faults });
      await server.start();
    }
  });
});
