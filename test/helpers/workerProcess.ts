/**
 * A real worker (src/worker.ts) in a process of its own, so a test can SIGKILL it mid-run and start
 * another. It reaches the test's Temporal server and the test's local Veo server (which outlives it).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { prebuiltBundleEnv } from './temporal';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (for assertion messages). */
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<NodeJS.Signals | null>;
}

export function startWorkerProcess(options: {
  temporalAddress: string;
  taskQueue: string;
  dir: string;
  veoUrl: string;
  env?: Record<string, string>;
}): WorkerProcess {
  let output = '';
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      RUNS_DIR: path.join(options.dir, 'runs'),
      OUTPUT_DIR: path.join(options.dir, 'output'),
      OFFLINE_VEO_URL: options.veoUrl,
      FFMPEG_PRESET: 'ultrafast',
      VEO3_POLL_INITIAL_S: '1',
      VEO3_POLL_MAX_S: '2',
      VEO3_TIMEOUT_S: '120',
      ...prebuiltBundleEnv(),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return {
    child,
    output: () => output,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}
