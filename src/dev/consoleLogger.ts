/**
 * The SDK's log as the demo and `reelflow dev` print it, in a terminal a person is reading beside
 * the stage lines. A run that fails is already told in its own words (status, --wait, the studio),
 * so its stack trace from the workflow sandbox becomes one line; a media-only worker polling no
 * workflows is how these processes are built, not news. Everything else passes through unchanged.
 */
import { inspect } from 'node:util';
import type { LogEntry } from '@temporalio/worker';
import { DefaultLogger } from '@temporalio/worker';

function errorMessage(meta: LogEntry['meta']): string | undefined {
  const error = meta?.error;
  // The error comes from the workflow sandbox's realm: no instanceof Error.
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return typeof error === 'string' ? error : undefined;
}

/** What to print for an entry, or undefined to print nothing. Pure, for the tests. */
export function consoleLine(entry: LogEntry): string | undefined {
  if (entry.message === 'No workflows registered, not polling for workflow tasks') return undefined;
  if (entry.message === 'Workflow failed') {
    const workflowId = typeof entry.meta?.workflowId === 'string' ? entry.meta.workflowId : 'a run';
    return `[${entry.level}] ${workflowId} failed: ${errorMessage(entry.meta) ?? 'see its history'}`;
  }
  const meta = entry.meta === undefined ? '' : ` ${inspect(entry.meta, { breakLength: Infinity })}`;
  return `[${entry.level}] ${entry.message}${meta}`;
}

/** WARN and above, through consoleLine, to stderr. */
export function consoleLogger(): DefaultLogger {
  return new DefaultLogger('WARN', (entry) => {
    const line = consoleLine(entry);
    if (line !== undefined) process.stderr.write(`${line}\n`);
  });
}
