/** A run's workspace on disk: `<runs dir>/<workflow id>/`. Only its paths travel through Temporal. */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import { failure } from './failures';

/** Workflow ids become directory names, so they must not climb out of the runs directory. */
export function workspaceDir(runsDir: string, workflowId: string): string {
  if (!/^[\w.-]+$/.test(workflowId) || workflowId.startsWith('.')) {
    throw failure(
      ErrorType.INVALID_REQUEST,
      `workflow id "${workflowId}" cannot name a workspace: use letters, digits, '-', '_' and '.'`,
    );
  }
  return path.join(runsDir, workflowId);
}

/** Writes text so readers never see half a file: write `<file>.tmp`, then rename over the target. */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Writes JSON the same way (see writeTextAtomic). */
export async function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  await writeTextAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** True when `file` exists and is not empty (a finished render, a frame already drawn). */
export async function nonEmptyFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.size > 0,
    () => false,
  );
}
