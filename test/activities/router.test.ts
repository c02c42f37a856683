/** ROUTER's directives: instructions parsed, user media resolved and checked before any work. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import type { Directives } from '../../src/domain/directives';
import { ffmpeg, run } from '../../src/media/ffmpeg';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { testConfig } from '../helpers/config';
import { geminiAnswer, providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';
import { serveFile, startSourceServer } from '../helpers/sourceServer';
import { singleShotVideo, smallPodcast, tempDir } from '../helpers/media';

let dir: string;
let sample: SamplePodcast;
let activities: ReturnType<typeof createActivities>;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

beforeAll(async () => {
  dir = await tempDir('router');
  sample = await smallPodcast(path.join(dir, 'sample'), 70);
  await run(
    ffmpeg()
      .input('color=c=red:s=64x64')
      .inputOptions(['-f', 'lavfi'])
      .frames(1)
      .output(path.join(dir, 'sample', 'logo.png')),
  );
  await singleShotVideo(path.join(dir, 'sample', 'factory.mp4'), 3);
  activities = createActivities({ config: testConfig(dir) });
});

describe('router directives', () => {
  it('parses instructions and resolves media next to the source', async () => {
    const request = {
      source: sample.video,
      transcript: sample.srt,
      topic: 'launch',
      instructions: 'Overlay logo.png at 0:02 for 2s. Cut to factory.mp4 when they say "the factory". Make it playful.',
    };
    const routed = await env.run(activities.router, { workflowId: 'reel-directives', request });
    const written = JSON.parse(await readFile(routed.directivesPath!, 'utf8')) as Directives;
    expect(written).toEqual(routed.directives);
    expect(written).toMatchObject({
      generator: 'reelflow-offline-text',
      topic: 'launch',
      narrative: { tone: 'playful' },
      overlays: [{ path: path.join(dir, 'sample', 'logo.png'), at: { reelS: 2 }, durationS: 2 }],
      cutaways: [{ path: path.join(dir, 'sample', 'factory.mp4'), at: { anchor: 'the factory' } }],
      unparsed: [],
    });
    expect(path.basename(routed.directivesPath!)).toBe('directives.json');
  });

  it('writes a reworked attempt under a numbered name', async () => {
    const routed = await env.run(activities.router, {
      workflowId: 'reel-directives-2',
      request: { source: sample.video },
      attempt: 2,
      feedback: ['something'],
    });
    expect(path.basename(routed.directivesPath!)).toBe('directives.attempt-2.json');
    expect(routed.directives).toMatchObject({ overlays: [], cutaways: [], unparsed: [] });
  });

  it('fails at once naming a missing overlay file', async () => {
    const started = Date.now();
    await expect(
      env.run(activities.router, {
        workflowId: 'reel-missing-overlay',
        request: { source: sample.video, instructions: 'overlay brand/missing-logo.png at 3s' },
      }),
    ).rejects.toMatchObject({
      type: 'MEDIA_NOT_FOUND',
      nonRetryable: true,
      message: expect.stringContaining('brand/missing-logo.png'),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails at once on a local source shorter than the shortest reel, naming its length', async () => {
    const short = path.join(dir, 'sample', 'factory.mp4');
    await expect(
      env.run(activities.router, { workflowId: 'reel-too-short', request: { source: short } }),
    ).rejects.toMatchObject({
      type: 'MEDIA_INVALID',
      nonRetryable: true,
      message: expect.stringMatching(/^source video is 3\.0 s long; a reel needs at least \d+ s$/),
    });
  });

  it('rejects media of the wrong kind', async () => {
    await expect(
      env.run(activities.router, {
        workflowId: 'reel-wrong-kind',
        request: {
          source: sample.video,
          instructions: `cut to ${path.join(dir, 'sample', 'logo.png').replace('.png', '.mp4')} at 3s`,
        },
      }),
    ).rejects.toMatchObject({ type: 'MEDIA_NOT_FOUND' });
    const fake = path.join(dir, 'sample', 'fake.png');
    await mkdir(path.dirname(fake), { recursive: true });
    await writeFile(fake, 'not an image');
    await expect(
      env.run(activities.router, {
        workflowId: 'reel-wrong-kind',
        request: { source: sample.video, instructions: `overlay ${fake} at 3s` },
      }),
    ).rejects.toMatchObject({ type: 'MEDIA_INVALID', message: expect.stringContaining(fake) });
    await expect(
      env.run(activities.router, {
        workflowId: 'reel-wrong-kind',
        request: { source: sample.video, instructions: `overlay factory.mp4 at 3s, cut to logo.png at 5s` },
      }),
    ).resolves.toBeDefined();
  });
});

describe('router directives through Gemini', () => {
  let server: LocalVeoServer;
  const prompts: string[] = [];
  beforeAll(async () => {
    server = await startOfflineVeo(dir);
  });
  afterAll(() => server?.stop());

  function geminiRouter(reply: string) {
    server.setContentResponder((_model, request) => {
      prompts.push(JSON.stringify(request.contents));
      return geminiAnswer(reply);
    });
    const config = testConfig(dir);
    const text = new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url });
    return createActivities({ config, providers: { ...providersFor(server, config), text } });
  }
  const instructions = 'Put the logo.png up when they say "welcome back", and keep it upbeat';

  it('uses the structured answer, drops files the instructions never named, and notes it', async () => {
    const activities = geminiRouter(
      JSON.stringify({
        narrative: { tone: 'energetic' },
        overlays: [
          { path: 'logo.png', at: { anchor: 'welcome back' } },
          { path: 'invented.png', at: { reelS: 1 } },
        ],
        cutaways: [],
        unparsed: [],
      }),
    );
    const routed = await env.run(activities.router, {
      workflowId: 'reel-gemini-directives',
      request: { source: sample.video, instructions },
      feedback: ['the previous answer named a file that is not in the instructions'],
      attempt: 2,
    });
    expect(routed.directives).toMatchObject({
      generator: 'gemini text (gemini-2.5-flash)',
      narrative: { tone: 'energetic' },
      overlays: [{ path: path.join(dir, 'sample', 'logo.png'), at: { anchor: 'welcome back' } }],
    });
    expect(routed.notes).toEqual(['invented.png does not appear in the instructions; dropped']);
    expect(prompts.at(-1)).toContain('keep it upbeat');
    expect(prompts.at(-1)).toContain('Your previous answer was rejected');
  });

  it('falls back to the offline parser on a malformed answer, with a note for the QA gate', async () => {
    const activities = geminiRouter('{"overlays": "many"}');
    const routed = await env.run(activities.router, {
      workflowId: 'reel-gemini-malformed',
      request: { source: sample.video, instructions },
    });
    expect(routed.directives?.generator).toBe('reelflow-offline-text');
    expect(routed.directives?.overlays).toEqual([
      { path: path.join(dir, 'sample', 'logo.png'), at: { anchor: 'welcome back' } },
    ]);
    expect(routed.notes?.[0]).toMatch(/^the model's answer was malformed/);
  });
});

describe('router with a URL source', () => {
  it('accepts a reachable URL, and fails at once on a 404 or a YouTube link without yt-dlp', async () => {
    const server = await startSourceServer({ '/episode.mp4': serveFile(sample.video) });
    const originalPath = process.env.PATH;
    try {
      const routed = await env.run(activities.router, {
        workflowId: 'reel-url',
        request: { source: `${server.url}/episode.mp4` },
      });
      expect(routed.source).toBe(`${server.url}/episode.mp4`);
      await expect(
        env.run(activities.router, { workflowId: 'reel-url-404', request: { source: `${server.url}/gone.mp4` } }),
      ).rejects.toMatchObject({ type: 'MEDIA_NOT_FOUND', message: expect.stringContaining('gone.mp4') });
      process.env.PATH = await tempDir('no-tools');
      await expect(
        env.run(activities.router, {
          workflowId: 'reel-youtube',
          request: { source: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' },
        }),
      ).rejects.toMatchObject({ type: 'TOOL_MISSING', message: expect.stringContaining('yt-dlp') });
    } finally {
      process.env.PATH = originalPath;
      await server.close();
    }
  });
});
