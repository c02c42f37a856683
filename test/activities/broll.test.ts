/** The B-roll activities against the local Veo server through the real SDK. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { BrollJob } from '../../src/domain/broll';
import { probe } from '../../src/media/ffmpeg';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo } from '../helpers/offlineVeo';

let dir: string;
let workspace: string;
let veo: LocalVeoServer;
let activities: ReturnType<typeof createActivities>;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

beforeAll(async () => {
  dir = await tempDir('broll-activities');
  workspace = path.join(dir, 'runs', 'reel-x');
  veo = await startOfflineVeo(dir, { faults: [{ match: 'BLACK', fault: 'black' }] });
  const config = testConfig(dir);
  activities = createActivities({ config, providers: providersFor(veo, config) });
});
afterAll(() => veo?.stop());

/** Polls until the clip settles; the deadline is generous, since a busy machine renders slowly. */
async function pollUntilSettled(key: string, operation: string) {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const [result] = await env.run(activities.pollClips, {
      workspace,
      jobs: [{ key, operation, durationS: 4, aspectRatio: '9:16' as const }],
    });
    if (result!.status !== 'submitted') return result!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('clip never settled');
}

describe('B-roll activities', () => {
  it('submitClip returns the recorded operation when retried, without a second submission', async () => {
    const request = {
      workspace,
      key: 'reel-x_intro',
      prompt: 'a quiet harbour',
      durationS: 4 as const,
      aspectRatio: '9:16' as const,
    };
    const first = await env.run(activities.submitClip, request);
    const before = veo.stats.submissions + veo.stats.deduplicated;
    const again = await env.run(activities.submitClip, request);
    expect(again).toEqual(first);
    expect(first.provider).toBe('reelflow-offline-veo');
    // Answered from the workspace record: the provider was not even asked.
    expect(veo.stats.submissions + veo.stats.deduplicated).toBe(before);
  });

  it('pollClips downloads a finished clip at once and hands back the cropped, validated file', async () => {
    const { operation } = await env.run(activities.submitClip, {
      workspace,
      key: 'reel-x_broll',
      prompt: 'server racks',
      durationS: 4,
      aspectRatio: '9:16',
    });
    const result = await pollUntilSettled('reel-x_broll', operation);
    expect(result).toEqual({
      key: 'reel-x_broll',
      status: 'done',
      videoPath: path.join(workspace, 'veo3', 'clips', 'reel-x_broll.mp4'),
    });
    expect((await probe(path.join(workspace, 'veo3', 'clips', 'reel-x_broll.mp4'))).video).toMatchObject({
      width: 720,
      height: 1280,
    });
  });

  it('pollClips marks a black clip invalid_clip, so it never reaches assembly', async () => {
    const { operation } = await env.run(activities.submitClip, {
      workspace,
      key: 'reel-x_outro',
      prompt: 'BLACK night',
      durationS: 4,
      aspectRatio: '9:16',
    });
    const result = await pollUntilSettled('reel-x_outro', operation);
    expect(result).toMatchObject({ key: 'reel-x_outro', status: 'invalid_clip' });
    expect(await readdir(path.join(workspace, 'veo3', 'clips'))).not.toContain('reel-x_outro.mp4');
  });

  it('recordBrollJobs writes jobs.json atomically with the file’s fields, and appends events', async () => {
    const job: BrollJob = {
      idempotent_key: 'reel-x_intro',
      variant: 'intro',
      status: 'done',
      operation: 'models/m/operations/1',
      video_path: '/v.mp4',
      error_message: null,
      attempts: 1,
      updated_at: '2026-01-01T00:00:00.000Z',
      prompt: 'p',
      duration_s: 4,
      narrative_anchor: 'a',
    };
    const event = {
      at: '2026-01-01T00:00:00.000Z',
      type: 'veo3.job.status_changed',
      data: { key: 'reel-x_intro', from: 'submitted', to: 'done' },
    };
    await env.run(activities.recordBrollJobs, { workspace, jobs: [job], events: [event] });
    await env.run(activities.recordBrollJobs, { workspace, jobs: [{ ...job, attempts: 2 }], events: [] });
    const file = JSON.parse(await readFile(path.join(workspace, 'veo3', 'jobs.json'), 'utf8'));
    expect(file).toEqual({
      jobs: [
        {
          idempotent_key: 'reel-x_intro',
          variant: 'intro',
          status: 'done',
          operation: 'models/m/operations/1',
          video_path: '/v.mp4',
          error_message: null,
          attempts: 2,
          updated_at: '2026-01-01T00:00:00.000Z',
        },
      ],
    });
    expect((await readdir(path.join(workspace, 'veo3'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(path.join(workspace, 'events.jsonl'), 'utf8')).toBe(`${JSON.stringify(event)}\n`);
  });
});
