/**
 * Crash hygiene: when the worker's Node process is SIGKILLed (as an out-of-memory kill would), the
 * ffmpeg processes it started die with it instead of rendering on as orphans.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canBindToWorker } from '../../src/media/processes';
import { eventually } from '../helpers/workflows';

/** Direct children of `pid` (every thread's), from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) children.push(...text.split(/\s+/).map(Number));
  }
  return children;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

describe.runIf(canBindToWorker)('media processes bound to the worker', () => {
  it('ffmpeg started through fluent-ffmpeg and spawnBound dies when the worker is SIGKILLed', async () => {
    // Node itself runs the script (tsx as a loader), so the ffmpegs are this process's children.
    const node = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../helpers/mediaChildren.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        node.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('started')) resolve();
        });
        node.on('exit', (code) => reject(new Error(`the media child exited early (${code})`)));
      });
      // 'spawn' fires once setpriv (or the wrapper script) runs; each execs ffmpeg a moment later.
      const started = await eventually(
        () => Promise.resolve(childrenOf(node.pid!).filter((pid) => commandOf(pid).startsWith('ffmpeg'))),
        (pids) => pids.length === 2,
      );
      expect(started).toHaveLength(2);
      expect(started.filter(running)).toHaveLength(2);

      node.kill('SIGKILL');

      const left = await eventually(
        () => Promise.resolve(started.filter(running)),
        (pids) => pids.length === 0,
      );
      expect(left.map(commandOf)).toEqual([]);
    } finally {
      node.kill('SIGKILL');
    }
  });
});
