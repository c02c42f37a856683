/**
 * Gemini Omni video through the real @google/genai 2.32.0 Interactions client, against the local
 * server speaking the wire format as the SDK sends it (POST /v1beta/interactions with
 * `background: true`, GET /v1beta/interactions/{id}): submit, poll, the clip by Files API link (the
 * Gemini API) and inline (Vertex), a refusal, a withdrawn model, token usage, and at-most-once
 * through the submitClip activity (no caps here, so no Temporal).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { PriceTable } from '../../src/domain/cost';
import { probe } from '../../src/media/ffmpeg';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import type { PollOutcome } from '../../src/providers/video/types';
import { VideoProviderError } from '../../src/providers/video/types';
import { VeoVideoModel } from '../../src/providers/video/veo';
import { OmniVideo } from '../../src/providers/video/omni';
import { geminiClient } from '../../src/providers/gemini';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';
import { eventually } from '../helpers/workflows';

const OMNI = 'gemini-omni-flash-preview';
let dir: string;
let server: LocalVeoServer;

beforeAll(async () => {
  dir = await tempDir('omni');
  // Like Google, which has no idempotency key for interactions: every accepted request is a job.
  server = await startOfflineVeo(dir, { idempotency: false });
});
afterAll(async () => {
  await server?.stop();
});

function omni(models: string[] = [OMNI]): VeoVideoModel {
  return new VeoVideoModel({
    name: 'omni (local)',
    models,
    apiKey: TEST_API_KEY,
    baseUrl: server.url,
    rateLimit: { attempts: 3, initialDelayS: 0.05 },
  });
}

const request = (prompt: string, key = prompt.replace(/\W+/g, '-')) => ({
  key,
  prompt,
  durationS: 4 as const,
  aspectRatio: '9:16' as const,
});

/** Polls until the job settles (the local server renders the clip with ffmpeg meanwhile). */
async function settle(model: VeoVideoModel, operation: string, destination: string): Promise<PollOutcome> {
  return eventually(
    () => model.poll(operation, destination),
    (o) => o.state !== 'running',
  );
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('Gemini Omni video (Interactions API)', () => {
  it('submits in the background, polls, and downloads the clip by its Files API link; reads back the tokens used', async () => {
    const model = omni();
    const before = { submissions: server.stats.submissions, downloads: server.stats.downloads };
    const operation = await model.submit(request('a lighthouse at dusk'));
    expect(operation).toMatch(new RegExp(`^models/${OMNI}/interactions/v1_[0-9a-f]+$`));
    expect(server.stats.submissions - before.submissions).toBe(1);
    const destination = path.join(dir, 'lighthouse.mp4');
    // The interaction's `usage.total_output_tokens` (the double reports 5792 per second of video).
    expect(await settle(model, operation, destination)).toEqual({ state: 'downloaded', outputTokens: 4 * 5792 });
    // Fetched once through files.download (GET files/{id}:download), not carried in the interaction.
    expect(server.stats.downloads - before.downloads).toBe(1);
    const media = await probe(destination);
    expect(media.video).toMatchObject({ width: 720, height: 1280 });
    expect(media.durationS).toBeGreaterThan(3.8);
    expect(media.durationS).toBeLessThan(4.3);
  });

  it('inline delivery (what Vertex gets without a bucket): the clip comes as base64 in the interaction', async () => {
    const inline = new OmniVideo(geminiClient({ apiKey: TEST_API_KEY, baseUrl: server.url }), {
      rateLimit: { attempts: 1, initialDelayS: 0.05 },
      delivery: 'inline',
    });
    const operation = await inline.submit(OMNI, request('a lighthouse at noon'));
    const destination = path.join(dir, 'lighthouse-inline.mp4');
    const outcome = await eventually(
      () => inline.poll(operation, destination),
      (o) => o.state !== 'running',
    );
    expect(outcome).toEqual({ state: 'downloaded', outputTokens: 4 * 5792 });
    expect((await probe(destination)).video).toMatchObject({ width: 720, height: 1280 });
  });

  it('a link that answers 404 is download_failed (the job is not submitted again)', async () => {
    server.setFaults([{ match: 'GONE', fault: 'download_404' }]);
    try {
      const model = omni();
      const before = server.stats.submissions;
      const operation = await model.submit(request('GONE a pier'));
      const outcome = await settle(model, operation, path.join(dir, 'gone.mp4'));
      expect(outcome).toMatchObject({ state: 'failed', status: 'download_failed' });
      expect(server.stats.submissions - before).toBe(1);
    } finally {
      server.setFaults([]);
    }
  });

  it('a model that answers in words instead of a clip is a refusal (rai_filtered) carrying its reason', async () => {
    server.setFaults([{ match: 'REFUSE', fault: 'safety' }]);
    const model = omni();
    const operation = await model.submit(request('REFUSE a crowd'));
    const outcome = await settle(model, operation, path.join(dir, 'refused.mp4'));
    expect(outcome).toMatchObject({ state: 'failed', status: 'rai_filtered' });
    expect((outcome as { message: string }).message).toMatch(/safety policies/);
    server.setFaults([]);
  });

  it('a failed interaction is generation_failed with the provider message', async () => {
    server.setFaults([{ match: 'BROKEN', fault: 'operation_error' }]);
    const model = omni();
    const operation = await model.submit(request('BROKEN a bridge'));
    const outcome = await settle(model, operation, path.join(dir, 'broken.mp4'));
    expect(outcome).toMatchObject({ state: 'failed', status: 'generation_failed' });
    expect((outcome as { message: string }).message).toMatch(/internal error/);
    server.setFaults([]);
  });

  it('404 "no longer available" is model_unavailable naming VEO3_MODEL; in a fallback list the next model takes the job', async () => {
    server.setUnavailableModels(['veo-3.1-generate-preview', OMNI]);
    try {
      const before = server.stats.submissions;
      const alone = await rejection(omni().submit(request('a harbour')));
      expect(alone).toBeInstanceOf(VideoProviderError);
      expect(alone).toMatchObject({ status: 'model_unavailable' });
      expect((alone as Error).message).toMatch(/VEO3_MODEL/);
      expect((alone as Error).message).toContain(OMNI);
      expect(server.stats.submissions).toBe(before);

      // The Gemini API's own story: the Veo preview is withdrawn, Omni is named as its replacement.
      server.setUnavailableModels(['veo-3.1-generate-preview']);
      const chain = omni(['veo-3.1-generate-preview', OMNI]);
      const operation = await chain.submit(request('a harbour at noon'));
      expect(operation).toContain(`models/${OMNI}/interactions/`);
      expect(chain.model).toBe(OMNI);
    } finally {
      server.setUnavailableModels([]);
    }
  });

  it('HTTP 500 on create is sent once (the SDK default would resend it) and is submit_unknown; 429 is retried', async () => {
    server.setFaults([
      { match: 'FIVE', fault: 'server_error' },
      { match: 'BUSY', fault: 'rate_limit', times: 1 },
    ]);
    try {
      const model = omni();
      const rejectedBefore = server.stats.rejected;
      const failure = await rejection(model.submit(request('FIVE hundred')));
      expect(failure).toMatchObject({ status: 'submit_unknown' });
      expect(server.stats.rejected - rejectedBefore).toBe(1);

      const before = { rejected: server.stats.rejected, submissions: server.stats.submissions };
      await model.submit(request('BUSY street'));
      expect(server.stats.rejected - before.rejected).toBe(1);
      expect(server.stats.submissions - before.submissions).toBe(1);
    } finally {
      server.setFaults([]);
    }
  });

  it('submitClip with an Omni model: metered at its price, and an unknown outcome is never sent again', async () => {
    const prices: PriceTable = {
      currency: 'USD',
      asOf: 'test',
      providers: { offline: { label: 'offline, priced for tests', video: { [OMNI]: { perSecond: 0.1 } } } },
    };
    const pricesPath = path.join(dir, 'omni-prices.json');
    await writeFile(pricesPath, JSON.stringify(prices));
    const config = testConfig(dir, { VEO3_MODEL: OMNI, PRICES_PATH: pricesPath });
    const activities = createActivities({ config, providers: providersFor(server, config) });
    const run = <A, R>(fn: (input: A) => Promise<R>, input: A) =>
      new MockActivityEnvironment().run(fn, input) as Promise<R>;
    const workspace = path.join(dir, 'runs', 'omni-run');

    const done = await run(activities.submitClip, { workspace, ...request('a quiet market', 'omni-run_a') });
    expect(done).toMatchObject({ model: OMNI, costUsd: 0.4 });
    expect(done.operation).toContain(`models/${OMNI}/interactions/`);
    // The finished clip carries the tokens the interaction reported; the workflow meters them with it.
    const polled = await eventually(
      () =>
        run(activities.pollClips, {
          workspace,
          jobs: [{ key: 'omni-run_a', operation: done.operation, durationS: 4 as const, aspectRatio: '9:16' as const }],
        }),
      (results) => results[0]?.status !== 'submitted',
    );
    expect(polled).toEqual([
      { key: 'omni-run_a', status: 'done', videoPath: expect.any(String), outputTokens: 4 * 5792 },
    ]);

    server.setFaults([{ match: 'LOST', fault: 'server_error' }]);
    try {
      const before = server.stats.rejected;
      const input = { workspace, ...request('LOST answer', 'omni-run_b') };
      const first = await rejection(run(activities.submitClip, input));
      expect(first).toBeInstanceOf(ApplicationFailure);
      expect(first).toMatchObject({ type: 'submit_unknown', nonRetryable: true });
      // A retry finds the intent and sends nothing.
      const second = await rejection(run(activities.submitClip, input));
      expect(second).toMatchObject({ type: 'submit_unknown' });
      expect((second as Error).message).toMatch(/--include-unknown/);
      expect(server.stats.rejected - before).toBe(1);
      expect(await readdir(path.join(workspace, 'veo3', 'submitted'))).toContain('omni-run_b.intent.json');
    } finally {
      server.setFaults([]);
    }
  });
});
