/** DELIVERY: files in the output folder, summary.md, and the webhook (against a receiver on 127.0.0.1). */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { notifyWebhook } from '../../src/activities/delivery';
import { renderPromptClip } from '../../src/media/promptClip';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';

let dir: string;
let workspace: string;
let receiver: ReturnType<typeof createServer>;
let receiverUrl: string;
const received: { status: number; body: Record<string, unknown> }[] = [];
let answer = 200;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

beforeAll(async () => {
  dir = await tempDir('delivery');
  workspace = path.join(dir, 'runs', 'reel-deliver-1');
  await mkdir(workspace, { recursive: true });
  await renderPromptClip({
    prompt: 'reel',
    durationS: 4,
    width: 108,
    height: 192,
    output: path.join(workspace, 'reel.mp4'),
  });
  const cue = { startS: 10, endS: 14, text: 'Starting over is the most expensive button.' };
  await writeFile(
    path.join(workspace, 'moment.json'),
    JSON.stringify({ startS: 10, endS: 80, score: 7.5, breakdown: { quotable: 5.5, hook: 2 }, cues: [cue] }),
  );
  await writeFile(
    path.join(workspace, 'layout.json'),
    JSON.stringify({
      segments: [
        { startS: 10, endS: 40, layout: 'side_by_side', strategy: 'stack_halves' },
        { startS: 40, endS: 80, layout: 'speaker_focus', strategy: 'follow_crop' },
      ],
    }),
  );
  await writeFile(
    path.join(workspace, 'broll-placements.json'),
    JSON.stringify({
      placed: [{ key: 'r_intro', path: '/x', startS: 2, durationS: 4 }],
      skipped: [{ key: 'r_outro', reason: 'too close to the end of the reel' }],
    }),
  );
  await writeFile(
    path.join(workspace, 'publishing-assets.json'),
    JSON.stringify({
      generator: 'reelflow-offline-templates',
      descriptions: ['a', 'b', 'c'],
      hashtags: ['#podcast'],
      music_mood: 'calm',
      veo3_prompts: [],
    }),
  );
  receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({ status: answer, body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => receiver?.close(() => resolve())));

const stages = [
  { stage: 'ROUTER', durationMs: 300, attempts: 1, qa: [{ verdict: 'PASS' as const, score: 1 }] },
  {
    stage: 'CONTENT',
    durationMs: 900,
    attempts: 1,
    qa: [
      { verdict: 'REWORK' as const, score: 0.83 },
      { verdict: 'PASS' as const, score: 1 },
    ],
  },
  { stage: 'FFMPEG_ENGINEER', durationMs: 15200, attempts: 2 },
];

describe('deliver', () => {
  it('puts the reel, the assets and a summary in the output folder, and notifies the webhook once', async () => {
    const activities = createActivities({ config: testConfig(dir, { WEBHOOK_URL: receiverUrl }) });
    const result = await env.run(activities.deliver, {
      workspace,
      workflowId: 'reel-deliver-1',
      reelPath: path.join(workspace, 'reel.mp4'),
      assetsPath: path.join(workspace, 'publishing-assets.json'),
      stages,
    });
    expect(result.outputDir).toBe(path.join(dir, 'output', 'reel-deliver-1'));
    expect(result.webhook).toEqual({ status: 'sent', attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({
      event: 'reel.delivered',
      workflowId: 'reel-deliver-1',
      reelPath: result.reelPath,
    });

    // Every file is written under a temporary name and renamed: none is left behind.
    const delivered = await readdir(result.outputDir);
    expect(delivered).toEqual(expect.arrayContaining(['reel.mp4', 'publishing-assets.json', 'summary.md']));
    expect(delivered.filter((name) => name.endsWith('.partial'))).toEqual([]);

    const summary = await readFile(result.summaryPath, 'utf8');
    // The frame size is the delivered file's (1:1, 4:5 and 16:9 reels are not 1080x1920).
    expect(summary).toMatch(/Reel: [\d.]+ s, 108x192, cut from 0:10\.0–1:20\.0/);
    expect(summary).toContain('| 0:40.0 | 1:20.0 | speaker_focus | follow_crop |');
    expect(summary).toContain('Placed 1, skipped 1.');
    expect(summary).toContain('r_outro: skipped (too close to the end of the reel)');
    expect(summary).toContain('| FFMPEG_ENGINEER | 15.2 s | 2 | — |');
    expect(summary).toContain('| CONTENT | 0.9 s | 1 | REWORK 0.83 → PASS |');
    expect(summary).toContain('Written by reelflow-offline-templates');
  });

  it('reports a webhook that keeps failing after a bounded number of tries, without throwing', async () => {
    answer = 500;
    const before = received.length;
    const outcome = await notifyWebhook(receiverUrl, { event: 'x' }, 10);
    expect(outcome).toEqual({ status: 'failed', attempts: 3, error: 'HTTP 500' });
    expect(received.length - before).toBe(3);
    answer = 200;
  });

  it('reports an unreachable webhook', async () => {
    const outcome = await notifyWebhook('http://127.0.0.1:1/hook', {}, 10);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeTruthy();
  });

  it('says when no webhook is configured', async () => {
    const activities = createActivities({ config: testConfig(dir) });
    const result = await env.run(activities.deliver, {
      workspace,
      workflowId: 'reel-deliver-1',
      reelPath: path.join(workspace, 'reel.mp4'),
      assetsPath: path.join(workspace, 'publishing-assets.json'),
      stages,
    });
    expect(result.webhook).toEqual({ status: 'not_configured', attempts: 0 });
  });
});
