/**
 * `npm run demo`, the main job, as a process: it must end with the path of a 1080x1920 reel of
 * 60–90 s with sound on its own last line. It reuses the test's Temporal server (so it does not
 * start one on the usual ports) and works in a temporary runs/output folder.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { PipelineEvent } from '../../src/domain/progress';
import { checkPublishingAssets } from '../../src/domain/qaRules';
import { MomentSchema, PublishingAssetsSchema } from '../../src/domain/reel';
import { probe } from '../../src/media/ffmpeg';

const ROOT = path.resolve(__dirname, '../..');

describe('npm run demo', () => {
  it('ends with the path of a finished vertical reel', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-demo-'));
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'scripts/demo.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_TASK_QUEUE: `demo-${Date.now()}`,
          RUNS_DIR: path.join(dir, 'runs'),
          OUTPUT_DIR: path.join(dir, 'output'),
          FFMPEG_PRESET: 'ultrafast',
          // Any free port: the studio the demo serves must not collide with one already running here.
          API_PORT: '0',
        },
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', (exit) => resolve({ code: exit, output: text }));
    });
    expect(code, output).toBe(0);
    const last = output.trim().split('\n').at(-1)!;
    expect(last).toBe(path.join(dir, 'output', path.basename(path.dirname(last)), 'reel.mp4'));
    expect(output).toContain('✓ DELIVERY');
    // The studio's address is printed (next to the Temporal UI's when the demo starts its own server).
    expect(output).toMatch(/^Studio: http:\/\/127\.0\.0\.1:\d+\/ /m);
    const reel = await probe(last);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(reel.audio).toBeDefined();
    expect(reel.durationS).toBeGreaterThanOrEqual(60);
    expect(reel.durationS).toBeLessThanOrEqual(90);

    // The reel is cut from the moment in moment.json, which holds the instructions' topic.
    const workspace = /^Workspace: (.+)$/m.exec(output)![1]!;
    const read = async (name: string) => JSON.parse(await readFile(path.join(workspace, name), 'utf8'));
    const moment = MomentSchema.parse(await read('moment.json'));
    expect(Math.abs(reel.durationS - (moment.endS - moment.startS))).toBeLessThan(0.15);
    expect(moment.cues.some((cue) => /rate limit/i.test(cue.text))).toBe(true);
    // publishing-assets.json passed its QA gate, and each anchor is spoken in the moment.
    const events = (await readFile(path.join(workspace, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PipelineEvent);
    expect(events.filter((e) => e.type === 'pipeline.qa.passed').map((e) => e.stage)).toEqual([
      'ROUTER',
      'RESEARCH',
      'TRANSCRIPT',
      'CONTENT',
    ]);
    const assets = PublishingAssetsSchema.parse(await read('publishing-assets.json'));
    expect(assets.veo3_prompts.length).toBeGreaterThan(0);
    expect(checkPublishingAssets(assets, { moment, maxPrompts: 3 }).verdict).toBe('PASS');
    const spoken = moment.cues.map((cue) => cue.text).join(' ');
    for (const prompt of assets.veo3_prompts) expect(spoken).toContain(prompt.narrative_anchor);
    // The directives: an energetic tone for the copy, and the badge overlay placed at 1 s.
    expect((await read('directives.json')).narrative).toEqual({ tone: 'energetic' });
    expect((await read('broll-placements.json')).userMedia.overlays.placed).toHaveLength(1);
    // A whole 3-minute source through every stage, in a child process: generous, since on a busy
    // machine the whole run may take minutes; nothing here races the clock.
  }, 900_000);
});
