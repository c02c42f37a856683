/**
 * How media processes are started: bound to the worker, so they die with it. When the worker's Node
 * process is SIGKILLed (or OOM-killed), a plain child keeps running and renders onto the same paths
 * the retried activity writes; a child started through `setpriv --pdeathsig KILL` gets SIGKILL from
 * the kernel the moment the thread that spawned it exits. (A process group would not help: nobody is
 * left to signal it after a SIGKILL.) Without setpriv (util-linux, Linux only) children start plainly.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams, SpawnOptionsWithoutStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The wrapper fluent-ffmpeg runs instead of ffmpeg: execs it under setpriv (same pid, so kill() reaches ffmpeg). */
export const BOUND_WRAPPER = path.join(__dirname, 'boundToWorker.sh');

function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Whether children can be bound to the worker here (Linux with util-linux's setpriv). */
export const canBindToWorker: boolean = process.platform === 'linux' && onPath('setpriv');

/** The ffmpeg binary the user chose: FFMPEG_PATH, as fluent-ffmpeg reads it, else `ffmpeg` from PATH. */
export function ffmpegBinary(): string {
  return process.env.FFMPEG_PATH || 'ffmpeg';
}

/** Spawns `program args` (piped stdio) so that it dies with the worker (when it can be bound; otherwise plainly). */
export function spawnBound(
  program: string,
  args: readonly string[],
  options: SpawnOptionsWithoutStdio = {},
): ChildProcessWithoutNullStreams {
  if (!canBindToWorker) return spawn(program, args, options);
  return spawn('setpriv', ['--pdeathsig', 'KILL', '--', program, ...args], options);
}
