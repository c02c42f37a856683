/**
 * `reelflow watch`: live per-stage progress and per-clip B-roll state. On a terminal the view is
 * redrawn in place; otherwise (a pipe, a log file) the first view is printed whole and then only the
 * lines each change brings, so a log grows by what happened instead of by the whole table.
 */
import type { Client } from '@temporalio/client';
import type { BrollJob } from '../domain/broll';
import type { Progress } from '../domain/progress';
import { formatProgress, readBroll, readProgress } from './runs';

export function formatBroll(jobs: BrollJob[]): string {
  if (jobs.length === 0) return '';
  return [
    '  B-roll / clips:',
    ...jobs.map((job) =>
      `    ${job.idempotent_key.padEnd(36)} ${job.status.padEnd(18)} ${job.error_message ?? ''}`.trimEnd(),
    ),
  ].join('\n');
}

/** The lines of `view` that `last` did not have, in order (the whole view the first time). */
export function changedLines(last: string, view: string): string {
  if (!last) return view;
  const before = new Set(last.split('\n'));
  return view
    .split('\n')
    .filter((line) => !before.has(line))
    .join('\n');
}

export interface WatchOptions {
  intervalMs?: number;
  /** Redraw in place (a TTY) or print each change. */
  live: boolean;
  json: boolean;
  write: (text: string) => void;
}

/** Follows a run until it stops running: completed, closed, cancelled, or waiting for `resume` (shown, then left). */
export async function watchRun(client: Client, workflowId: string, options: WatchOptions): Promise<Progress> {
  let last = '';
  let lines = 0;
  for (;;) {
    const progress = await readProgress(client, workflowId);
    const jobs = await readBroll(client, workflowId).catch(() => [] as BrollJob[]);
    const view = options.json
      ? JSON.stringify({ progress, broll: jobs })
      : [formatProgress(progress), formatBroll(jobs)].filter(Boolean).join('\n');
    if (view !== last) {
      if (options.live && !options.json && lines > 0) options.write(`\x1b[${lines}A\x1b[0J`);
      const text = options.live || options.json ? view : changedLines(last, view);
      if (text) options.write(`${text}\n`);
      lines = view.split('\n').length;
      last = view;
    }
    if (progress.status !== 'RUNNING') return progress;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
