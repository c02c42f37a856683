/**
 * `npm run demo`, the main job, as a process: it must end with the path of a 1080x1920 reel of
 * 60–90 s with sound on its own last line. It reuses the test's Temporal server (so it does not
 * start one on the usual ports) and works in a temporary runs/output folder.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
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
    const reel = await probe(last);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(reel.audio).toBeDefined();
    expect(reel.durationS).toBeGreaterThanOrEqual(60);
    expect(reel.durationS).toBeLessThanOrEqual(90);
  });
});
