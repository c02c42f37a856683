/** The production worker checks for ffmpeg at boot and never installs system packages itself. */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

describe('worker boot', () => {
  it('fails naming `npm run setup` when ffmpeg is missing, without running apt-get', async () => {
    const bin = await mkdtemp(path.join(os.tmpdir(), 'reelflow-path-'));
    await symlink(process.execPath, path.join(bin, 'node'));
    // A stand-in apt-get that leaves a mark if anyone calls it.
    const mark = path.join(bin, 'apt-get-was-called');
    await writeFile(path.join(bin, 'apt-get'), `#!/bin/sh\ntouch ${mark}\n`);
    await chmod(path.join(bin, 'apt-get'), 0o755);
    const run = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', 'src/worker.ts'], {
      cwd: ROOT,
      env: { ...process.env, PATH: bin, TEMPORAL_ADDRESS: '127.0.0.1:1' },
      timeout: 300_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/ffmpeg and ffprobe are required: run `npm run setup`/);
    await expect(stat(mark)).rejects.toThrow();
  });
});
