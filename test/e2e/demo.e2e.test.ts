/**
 * `npm run demo`, the main job, as a process: an episode of 3 clips from the sample podcast. It
 * must print the episode's index.md (the ranked table) and end with the path of the best clip, a
 * 1080x1920 reel of about 40 s with sound, on its own last line. It reuses the test's Temporal
 * server (so it does not start one on the usual ports) and works in a temporary runs/output folder.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { generateSamplePodcast } from '../../src/dev/samplePodcast';
import type { EpisodeClip } from '../../src/domain/episode';
import type { PipelineEvent } from '../../src/domain/progress';
import { checkPublishingAssets } from '../../src/domain/qaRules';
import { MomentSchema, PublishingAssetsSchema } from '../../src/domain/reel';
import { probe } from '../../src/media/ffmpeg';
import { prebuiltBundleEnv } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

describe('npm run demo', () => {
  it('prints the ranked table of 3 clips and ends with the path of the best one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-demo-'));
    // The demo reuses a sample it finds in RUNS_DIR/.samples: the same 3-minute script and voices,
    // drawn at 640x360 instead of 1280x720 (drawing and encoding the 720p one was ≈30 CPU s, and
    // every clip decodes it three times); the reels are 1080x1920 either way.
    await generateSamplePodcast({
      dir: path.join(dir, 'runs', '.samples'),
      width: 640,
      height: 360,
      preset: 'ultrafast',
    });
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
          // One offline B-roll clip per reel instead of 3: the B-roll path is the same, and each drawn
          // clip is seconds of CPU (the B-roll's count and faults are brollFaults' and reel.e2e's tests).
          VEO3_CLIP_COUNT: '1',
          // Any free port: the studio the demo serves must not collide with one already running here.
          API_PORT: '0',
          // The run's bundle: bundling from source in a spawned process is `reelflow dev`'s test (cli.test.ts).
          ...prebuiltBundleEnv(),
        },
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', (exit) => resolve({ code: exit, output: text }));
    });
    expect(code, output).toBe(0);
    const last = output.trim().split('\n').at(-1)!;
    expect(output).toContain('✓ DELIVERY');
    expect(output).toContain('Reusing the sample podcast');
    // The SDK's notices that are no news to a person (media-only workers poll no workflows) stay out.
    expect(output).not.toContain('No workflows registered');
    // index.md, printed above the last line: 3 delivered clips, best first, none overlapping.
    expect(output).toContain('3 clips, best first: 3 delivered.');
    expect(output).toContain('| rank | score | hook | reason | time | duration | path | cost | status |');
    const indexPath = /^Episode index: (.+)$/m.exec(output)![1]!;
    // The best clip's reel, inside the episode's folder beside index.md.
    expect(path.dirname(indexPath)).toBe(path.join(dir, 'output', path.basename(path.dirname(indexPath))));
    expect(last).toBe(path.join(path.dirname(indexPath), 'clip-1', 'reel.mp4'));
    const index = JSON.parse(await readFile(path.join(path.dirname(indexPath), 'index.json'), 'utf8')) as {
      clips: EpisodeClip[];
    };
    expect(index.clips.map((c) => [c.rank, c.status])).toEqual([
      [1, 'delivered'],
      [2, 'delivered'],
      [3, 'delivered'],
    ]);
    for (const [i, a] of index.clips.entries())
      for (const b of index.clips.slice(i + 1)) expect(a.endS <= b.startS || b.endS <= a.startS).toBe(true);
    expect(last).toBe(index.clips[0]!.reelPath);
    // The clip's summary.md gives the same 0–100 score as the ranked table.
    const summary = await readFile(path.join(path.dirname(last), 'summary.md'), 'utf8');
    expect(summary).toContain(`Score ${index.clips[0]!.score}/100 (heuristic `);
    // The studio's address is printed (next to the Temporal UI's when the demo starts its own server).
    expect(output).toMatch(/^Studio: http:\/\/127\.0\.0\.1:\d+\/ /m);
    const reel = await probe(last);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(reel.audio).toBeDefined();
    // The demo asks for clips of about 40 s (35–45 s windows).
    expect(reel.durationS).toBeGreaterThanOrEqual(35);
    expect(reel.durationS).toBeLessThanOrEqual(45);

    // The best clip is cut from the moment in its moment.json, which holds the instructions' topic.
    const workspace = /^Best clip: .* — workspace (.+)$/m.exec(output)![1]!;
    const episodeWorkspace = path.join(path.dirname(workspace), path.basename(path.dirname(indexPath)));
    const read = async (name: string) => JSON.parse(await readFile(path.join(workspace, name), 'utf8'));
    const moment = MomentSchema.parse(await read('moment.json'));
    expect(Math.abs(reel.durationS - (moment.endS - moment.startS))).toBeLessThan(0.15);
    expect(moment.cues.some((cue) => /rate limit/i.test(cue.text))).toBe(true);
    // The episode analysed the source once and passed its QA gates; each clip's copy passed its own.
    const eventsOf = async (dir: string) =>
      (await readFile(path.join(dir, 'events.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as PipelineEvent);
    const passed = async (dir: string) =>
      (await eventsOf(dir)).filter((e) => e.type === 'pipeline.qa.passed').map((e) => e.stage);
    expect(await passed(episodeWorkspace)).toEqual(['ROUTER', 'RESEARCH', 'TRANSCRIPT']);
    expect(await passed(workspace)).toEqual(['CONTENT']);
    const assets = PublishingAssetsSchema.parse(await read('publishing-assets.json'));
    expect(assets.veo3_prompts.length).toBeGreaterThan(0);
    expect(checkPublishingAssets(assets, { moment, maxPrompts: 1 }).verdict).toBe('PASS');
    const spoken = moment.cues.map((cue) => cue.text).join(' ');
    for (const prompt of assets.veo3_prompts) expect(spoken).toContain(prompt.narrative_anchor);
    // The directives: an energetic tone for the copy, and the badge overlay placed at 1 s.
    expect(JSON.parse(await readFile(path.join(episodeWorkspace, 'directives.json'), 'utf8')).narrative).toEqual({
      tone: 'energetic',
    });
    expect((await read('broll-placements.json')).userMedia.overlays.placed).toHaveLength(1);
    // A whole 3-minute source and three clips through every stage, in a child process: generous,
    // since on a busy machine the whole episode may take many minutes; nothing here races the clock.
  }, 1_800_000);
});
