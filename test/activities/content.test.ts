/**
 * CONTENT as an activity: the offline templates with a narrative override, the Gemini model through
 * the real SDK against the local server (including a garbage answer), and numbered rework attempts.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { AppConfig } from '../../src/config';
import type { Moment, PublishingAssets } from '../../src/domain/reel';
import { PublishingAssetsSchema } from '../../src/domain/reel';
import type { Providers } from '../../src/providers';
import { OFFLINE_TEXT_GENERATOR, offlinePublishingAssets } from '../../src/providers/offlineCopy';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import type { GenerateContentBody, LocalVeoServer } from '../../src/offlineVeo/server';
import { writeJsonAtomic } from '../../src/activities/workspace';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { sampleMoment } from '../helpers/moment';
import { geminiAnswer, providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';

let dir: string;
let config: AppConfig;
let server: LocalVeoServer;
let gemini: Providers;
const moment = sampleMoment();
const mock = new MockActivityEnvironment();
const run = <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R>;
const readAssets = async (file: string) => PublishingAssetsSchema.parse(JSON.parse(await readFile(file, 'utf8')));

/** Each anchor must be a verbatim phrase of one of the moment's cues (not spliced across two). */
function expectAnchorsQuoted(assets: PublishingAssets, from: Moment = moment): void {
  expect(assets.veo3_prompts.length).toBeGreaterThan(0);
  for (const prompt of assets.veo3_prompts)
    expect(from.cues.some((cue) => cue.text.includes(prompt.narrative_anchor))).toBe(true);
}

async function workspaceWithMoment(name: string, m: Moment = moment) {
  const workspace = path.join(dir, 'runs', name);
  const momentPath = path.join(workspace, 'moment.json');
  await writeJsonAtomic(momentPath, m);
  return { workspace, momentPath };
}

beforeAll(async () => {
  dir = await tempDir('content');
  config = testConfig(dir);
  server = await startOfflineVeo(dir);
  gemini = {
    ...providersFor(server, config),
    text: new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url }),
  };
});
afterAll(() => server?.stop());

describe('CONTENT with the offline templates', () => {
  const activities = () => createActivities({ config });

  it('writes publishing-assets.json with today’s alternating 4/6 s clips when no narrative is given', async () => {
    const ws = await workspaceWithMoment('plain');
    const result = await run(activities().writePublishingAssets, { ...ws, clips: 4 });
    expect(result.assetsPath).toBe(path.join(ws.workspace, 'publishing-assets.json'));
    expect(result.generator).toBe(OFFLINE_TEXT_GENERATOR);
    expect(result.notes).toBeUndefined();
    const assets = await readAssets(result.assetsPath);
    expect(assets.veo3_prompts.map((p) => p.duration_s)).toEqual([4, 6, 4, 6]);
    expect(result.veo3Prompts).toEqual(assets.veo3_prompts);
    expectAnchorsQuoted(assets);
  });

  it('honours a playful, fast narrative: 4 s clips, a playful mood and other descriptions', async () => {
    const plain = await workspaceWithMoment('plain-2');
    const styled = await workspaceWithMoment('playful');
    const before = await readAssets((await run(activities().writePublishingAssets, { ...plain, clips: 4 })).assetsPath);
    const result = await run(activities().writePublishingAssets, {
      ...styled,
      clips: 4,
      narrative: { tone: 'playful', pacing: 'fast' },
    });
    const after = await readAssets(result.assetsPath);
    expect(after.generator).toBe(OFFLINE_TEXT_GENERATOR);
    expect(after.veo3_prompts.map((p) => p.duration_s)).toEqual([4, 4, 4, 4]);
    expect(after.music_mood).toMatch(/^playful/);
    expect(after.music_mood).not.toBe(before.music_mood);
    for (const [i, description] of after.descriptions.entries()) expect(description).not.toBe(before.descriptions[i]);
    expect(new Set(after.descriptions).size).toBe(3);
    // Fast pacing means fewer words of copy than the same tone at medium pace.
    const words = (a: PublishingAssets) => a.descriptions.join(' ').split(/\s+/).length;
    const medium = offlinePublishingAssets(moment, { maxPrompts: 4, narrative: { tone: 'playful', pacing: 'medium' } });
    expect(words(after)).toBeLessThan(words(medium));
    expectAnchorsQuoted(after);
  });

  it('uses 8 s clips and more words when slow, an unknown tone verbatim, and stays deterministic', () => {
    const slow = offlinePublishingAssets(moment, { maxPrompts: 3, narrative: { tone: 'Wistful', pacing: 'slow' } });
    expect(slow.veo3_prompts.map((p) => p.duration_s)).toEqual([8, 8, 8]);
    expect(slow.music_mood).toBe('wistful, curious, light ambient');
    expect(slow.descriptions[0]).toContain('A wistful clip about');
    const plain = offlinePublishingAssets(moment, { maxPrompts: 3 });
    expect(slow.descriptions[2]!.split(/\s+/).length).toBeGreaterThan(plain.descriptions[2]!.split(/\s+/).length);
    expect(offlinePublishingAssets(moment, { maxPrompts: 3, narrative: { tone: 'Wistful', pacing: 'slow' } })).toEqual(
      slow,
    );
    expectAnchorsQuoted(slow);
  });

  it('quotes anchors verbatim even from cues with line breaks and double spaces', () => {
    const messy: Moment = {
      ...moment,
      cues: moment.cues.map((cue, i) =>
        i % 2 ? { ...cue, text: cue.text.replace(' ', '  ').replace(' ', '\n') } : cue,
      ),
    };
    const assets = offlinePublishingAssets(messy, { maxPrompts: 8 });
    expectAnchorsQuoted(assets, messy);
  });

  it('writes a rework attempt under a numbered name, keeping the first', async () => {
    const ws = await workspaceWithMoment('rework-offline');
    const first = await run(activities().writePublishingAssets, { ...ws, clips: 2 });
    const second = await run(activities().writePublishingAssets, {
      ...ws,
      clips: 2,
      attempt: 2,
      feedback: ['descriptions.0: too long'],
    });
    expect(second.assetsPath).toBe(path.join(ws.workspace, 'publishing-assets.attempt-2.json'));
    expect(await readAssets(first.assetsPath)).toEqual(await readAssets(second.assetsPath));
  });
});

describe('CONTENT with the Gemini model', () => {
  const seen: GenerateContentBody[] = [];
  const respond = (body: Record<string, unknown>) =>
    server.setContentResponder((_model, sent) => {
      seen.push(sent);
      return body;
    });

  it('keeps going on a garbage answer: offline templates, a note for the QA gate, the file written', async () => {
    respond(geminiAnswer('I am sorry, here is some copy: {descriptions: …'));
    const ws = await workspaceWithMoment('gemini-garbage');
    const result = await run(createActivities({ config, providers: gemini }).writePublishingAssets, {
      ...ws,
      clips: 3,
      narrative: { tone: 'playful', pacing: 'fast' },
    });
    expect(result.generator).toBe(OFFLINE_TEXT_GENERATOR);
    expect(result.notes).toHaveLength(1);
    expect(result.notes?.[0]).toMatch(
      /^the model's answer was malformed: the model's answer is not JSON: .*; used the offline templates$/,
    );
    const assets = await readAssets(path.join(ws.workspace, 'publishing-assets.json'));
    expect(assets.generator).toBe(OFFLINE_TEXT_GENERATOR);
    // The fallback still honours the narrative override.
    expect(assets.veo3_prompts.map((p) => p.duration_s)).toEqual([4, 4, 4]);
    expectAnchorsQuoted(assets);
  });

  it('writes the model’s copy on rework attempt 2 under a numbered name, with the feedback in the prompt', async () => {
    const copy = {
      descriptions: ['One.', 'Two.', 'Three.'],
      hashtags: ['#podcast'],
      music_mood: 'calm piano',
      veo3_prompts: [
        { variant: 'broll', prompt: 'Rain on a window', narrative_anchor: 'Partly. But hand written', duration_s: 8 },
      ],
    };
    respond(geminiAnswer(copy));
    const ws = await workspaceWithMoment('gemini-rework');
    const result = await run(createActivities({ config, providers: gemini }).writePublishingAssets, {
      ...ws,
      clips: 1,
      attempt: 2,
      feedback: ['descriptions: the three descriptions are identical; write three different ones'],
    });
    expect(result.assetsPath).toBe(path.join(ws.workspace, 'publishing-assets.attempt-2.json'));
    expect(result.generator).toBe('gemini text (gemini-2.5-flash)');
    expect(result.notes).toBeUndefined();
    expect(await readAssets(result.assetsPath)).toEqual({ generator: 'gemini text (gemini-2.5-flash)', ...copy });
    expectAnchorsQuoted(await readAssets(result.assetsPath));
    const prompt = JSON.stringify(seen.at(-1)?.contents);
    expect(prompt).toContain('Your previous answer was rejected:');
    expect(prompt).toContain('the three descriptions are identical');
  });

  it('fails with CONTENT_BLOCKED (not retryable) when the model refuses', async () => {
    respond({ promptFeedback: { blockReason: 'SAFETY' }, candidates: [] });
    const ws = await workspaceWithMoment('gemini-blocked');
    await expect(
      run(createActivities({ config, providers: gemini }).writePublishingAssets, { ...ws, clips: 1 }),
    ).rejects.toMatchObject({ type: 'CONTENT_BLOCKED', nonRetryable: true });
  });
});
