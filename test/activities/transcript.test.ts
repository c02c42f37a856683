/** TRANSCRIPT: audio emotion measured from the source, and a Gemini ranking over the heuristic's candidates (one moment or an episode's). */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { AudioFeaturesSchema } from '../../src/domain/emotion';
import type { Cue, Moment } from '../../src/domain/reel';
import type { Providers } from '../../src/providers';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import type { GenerateContentBody, LocalVeoServer } from '../../src/offlineVeo/server';
import { testConfig } from '../helpers/config';
import { candidatesIn, firstSentence, promptOf } from '../helpers/episodeRanking';
import { smallPodcast, tempDir } from '../helpers/media';
import { geminiAnswer, providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';

let dir: string;
let sample: SamplePodcast;
let server: LocalVeoServer;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

/** 300 s of short sentences: several distinct 60–90 s candidates. */
const transcript: Cue[] = Array.from({ length: 60 }, (_, i) => ({
  startS: i * 5,
  endS: i * 5 + 4.8,
  text: `Sentence number ${i} is short.`,
}));

beforeAll(async () => {
  dir = await tempDir('transcript');
  sample = await smallPodcast(path.join(dir, 'sample'), 70);
  server = await startOfflineVeo(dir);
});
afterAll(() => server?.stop());

async function workspaceWith(name: string, cues: Cue[]): Promise<{ workspace: string; transcriptPath: string }> {
  const workspace = path.join(dir, 'runs', name);
  await mkdir(workspace, { recursive: true });
  const transcriptPath = path.join(workspace, 'transcript.json');
  await writeFile(transcriptPath, JSON.stringify({ cues }));
  return { workspace, transcriptPath };
}

function geminiProviders(): Providers {
  const config = testConfig(dir);
  return {
    ...providersFor(server, config),
    text: new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url }),
  };
}

describe('pickMoment', () => {
  it('measures the source audio once and scores its emotion', async () => {
    const activities = createActivities({ config: testConfig(dir) });
    const research = await env.run(activities.research, {
      workspace: path.join(dir, 'runs', 'emotion'),
      source: sample.video,
    });
    const input = {
      workspace: path.join(dir, 'runs', 'emotion'),
      transcriptPath: research.transcriptPath,
      sourceDurationS: 70,
      source: sample.video,
    };
    const result = await env.run(activities.pickMoment, input);
    const moment = JSON.parse(await readFile(result.momentPath, 'utf8')) as Moment;
    expect(Object.keys(moment.breakdown)).toEqual(expect.arrayContaining(['quotable', 'loudness', 'pitch', 'peaks']));
    expect(moment.breakdown.loudness).toBeGreaterThan(0);
    const features = AudioFeaturesSchema.parse(
      JSON.parse(await readFile(path.join(input.workspace, 'audio-features.json'), 'utf8')),
    );
    expect(features.loudnessDb.length).toBeGreaterThanOrEqual(69);
    expect(moment.ranking).toMatchObject({ by: 'heuristic' });
  });

  it('lets the Gemini model choose among distinct candidates', async () => {
    const prompts: string[] = [];
    server.setContentResponder((_model, request) => {
      prompts.push(JSON.stringify(request.contents));
      return geminiAnswer({ index: 2, reason: 'the strongest hook' });
    });
    const activities = createActivities({ config: testConfig(dir), providers: geminiProviders() });
    const { workspace, transcriptPath } = await workspaceWith('ranked', transcript);
    const heuristic = await env.run(createActivities({ config: testConfig(dir) }).pickMoment, {
      workspace: path.join(dir, 'runs', 'ranked-heuristic'),
      transcriptPath,
      sourceDurationS: 300,
    });
    const result = await env.run(activities.pickMoment, {
      workspace,
      transcriptPath,
      sourceDurationS: 300,
      topic: 'sentences',
      feedback: ['the moment ends mid-sentence'],
      attempt: 2,
    });
    expect(path.basename(result.momentPath)).toBe('moment.attempt-2.json');
    const moment = JSON.parse(await readFile(result.momentPath, 'utf8')) as Moment;
    expect(moment.ranking).toEqual({
      by: 'gemini text (gemini-2.5-flash)',
      reason: 'the strongest hook',
      candidates: 5,
    });
    expect(result.startS).not.toBe(heuristic.startS);
    expect(prompts.at(-1)).toContain('Candidate 2');
    expect(prompts.at(-1)).toContain('The reel must be about: sentences');
    expect(prompts.at(-1)).toContain('the moment ends mid-sentence');
    expect(result.notes).toBeUndefined();
  });

  it('keeps the heuristic choice, with a note for the QA gate, when the ranking is malformed', async () => {
    server.setContentResponder(() => geminiAnswer({ index: 9, reason: 'out of range' }));
    const activities = createActivities({ config: testConfig(dir), providers: geminiProviders() });
    const { workspace, transcriptPath } = await workspaceWith('ranked-bad', transcript);
    const result = await env.run(activities.pickMoment, { workspace, transcriptPath, sourceDurationS: 300 });
    const moment = JSON.parse(await readFile(result.momentPath, 'utf8')) as Moment;
    expect(moment.ranking?.by).toBe('heuristic');
    expect(result.notes?.[0]).toContain('chose candidate 9; there are 5');
    server.setContentResponder(() => ({ candidates: [{ content: { role: 'model', parts: [{ text: 'not json' }] } }] }));
    const again = await env.run(activities.pickMoment, { workspace, transcriptPath, sourceDurationS: 300 });
    expect(again.notes?.[0]).toContain('not JSON');
  });

  it('finds a topic mentioned once, far from the best-scoring stretch', async () => {
    const once = transcript.map((cue, i) => (i === 50 ? { ...cue, text: 'Latency budgets decide it.' } : cue));
    const activities = createActivities({ config: testConfig(dir) });
    const { workspace, transcriptPath } = await workspaceWith('topic-once', once);
    const result = await env.run(activities.pickMoment, {
      workspace,
      transcriptPath,
      sourceDurationS: 300,
      topic: 'latency',
    });
    const moment = JSON.parse(await readFile(result.momentPath, 'utf8')) as Moment;
    expect(moment.cues.map((cue) => cue.text)).toContain('Latency budgets decide it.');
    expect(moment.breakdown.topic).toBe(10);
  });

  it('skips windows an earlier attempt chose', async () => {
    const activities = createActivities({ config: testConfig(dir) });
    const { workspace, transcriptPath } = await workspaceWith('avoid', transcript);
    const first = await env.run(activities.pickMoment, { workspace, transcriptPath, sourceDurationS: 300 });
    const second = await env.run(activities.pickMoment, {
      workspace,
      transcriptPath,
      sourceDurationS: 300,
      avoid: [{ startS: first.startS, endS: first.endS }],
      attempt: 2,
    });
    const overlap = Math.max(0, Math.min(first.endS, second.endS) - Math.max(first.startS, second.startS));
    expect(overlap).toBeLessThanOrEqual(0.5 * (first.endS - first.startS));
  });
});

describe('pickMoments with a Gemini ranking', () => {
  const episodeInput = (workspace: string, transcriptPath: string) => ({
    workspace,
    transcriptPath,
    sourceDurationS: 300,
    count: 2,
  });

  it('ranks distinct candidates with score, hook and reason through structured output, and passes the QA gate', async () => {
    const sent: GenerateContentBody[] = [];
    server.setContentResponder((_model, request) => {
      sent.push(request);
      const offered = candidatesIn(promptOf(request));
      // The model prefers the last candidate: its order, not the heuristic's, ranks the clips.
      const [last, first] = [offered.at(-1)!, offered[0]!];
      return geminiAnswer({
        clips: [
          {
            candidate: last.index,
            score: 91,
            hook: 'The last word',
            reason: `It ends on "${firstSentence(last.text)}"`,
          },
          {
            candidate: first.index,
            score: 77,
            hook: 'Where it starts',
            reason: `It opens "${firstSentence(first.text)}"`,
          },
        ],
      });
    });
    const activities = createActivities({ config: testConfig(dir), providers: geminiProviders() });
    const { workspace, transcriptPath } = await workspaceWith('episode-ranked', transcript);
    const result = await env.run(activities.pickMoments, episodeInput(workspace, transcriptPath));

    const request = sent.at(-1)!;
    expect(request.generationConfig?.responseMimeType).toBe('application/json');
    expect(request.generationConfig?.responseJsonSchema).toMatchObject({
      type: 'object',
      properties: { clips: { type: 'array' } },
    });
    const offered = candidatesIn(promptOf(request));
    expect(offered.length).toBeGreaterThan(2);
    // The pool is distinct: no two candidates share a second.
    const spans = offered.map((c) => [c.startS, c.endS] as const).sort((a, b) => a[0] - b[0]);
    spans.slice(1).forEach(([start], i) => expect(start).toBeGreaterThanOrEqual(spans[i]![1]));

    expect(result.moments.map((m) => [m.rank, m.score, m.hook])).toEqual([
      [1, 91, 'The last word'],
      [2, 77, 'Where it starts'],
    ]);
    expect(result.moments[0]!.startS).toBe(offered.at(-1)!.startS);
    expect(result.moments[1]!.startS).toBe(offered[0]!.startS);
    expect(result.notes).toBeUndefined();
    const saved = JSON.parse(await readFile(result.momentsPath, 'utf8')) as { moments: Moment[] };
    expect(saved.moments[0]!.ranking).toMatchObject({ by: 'gemini text (gemini-2.5-flash)' });
    const verdict = await env.run(activities.qaCheck, {
      stage: 'EPISODE_MOMENTS' as const,
      artifactPath: result.momentsPath,
      transcriptPath,
    });
    expect(verdict).toMatchObject({ verdict: 'PASS', feedback: [] });
  });

  it('sends the QA feedback back to the model on a rework', async () => {
    const prompts: string[] = [];
    server.setContentResponder((_model, request) => {
      prompts.push(promptOf(request));
      const [a, b] = candidatesIn(promptOf(request));
      return geminiAnswer({
        clips: [a!, b!].map((c, i) => ({
          candidate: c.index,
          score: 80 - i,
          hook: 'H',
          reason: `"${firstSentence(c.text)}"`,
        })),
      });
    });
    const activities = createActivities({ config: testConfig(dir), providers: geminiProviders() });
    const { workspace, transcriptPath } = await workspaceWith('episode-rework', transcript);
    const result = await env.run(activities.pickMoments, {
      ...episodeInput(workspace, transcriptPath),
      attempt: 2,
      feedback: ['clip 1: the hook is 75 characters; keep it to 60'],
    });
    expect(path.basename(result.momentsPath)).toBe('moments.attempt-2.json');
    expect(prompts.at(-1)).toContain('Your previous answer was rejected: clip 1: the hook is 75 characters');
  });

  it.each([
    ['a candidate twice', (i: number[]) => [i[0], i[0]], /chose a candidate twice/],
    ['a candidate that was not offered', () => [0, 42], /chose candidate 42/],
    ['fewer clips than asked', (i: number[]) => [i[0]], /asked for 2 clips, the model ranked 1/],
  ])('keeps the heuristic moments, with a note for the QA gate, when the model picks %s', async (what, picks, note) => {
    server.setContentResponder((_model, request) => {
      const indices = candidatesIn(promptOf(request)).map((c) => c.index);
      return geminiAnswer({
        clips: picks(indices).map((candidate) => ({ candidate, score: 50, hook: 'h', reason: 'r' })),
      });
    });
    const activities = createActivities({ config: testConfig(dir), providers: geminiProviders() });
    const { workspace, transcriptPath } = await workspaceWith(`episode-bad-${what.replace(/\W+/g, '-')}`, transcript);
    const result = await env.run(activities.pickMoments, episodeInput(workspace, transcriptPath));
    expect(result.moments).toHaveLength(2);
    expect(result.notes?.[0]).toMatch(note);
    const saved = JSON.parse(await readFile(result.momentsPath, 'utf8')) as { moments: Moment[] };
    expect(saved.moments.map((m) => m.ranking?.by)).toEqual(['heuristic', 'heuristic']);
  });
});
