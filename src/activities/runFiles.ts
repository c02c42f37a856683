/**
 * Serving a run's files to an API on another host (see src/domain/hostFiles.ts): runs on this host's
 * own queue, reads only the listed artifact names (src/api/artifacts.ts) in this host's output and
 * runs folders, and never more than one chunk at a time.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { findArtifact, isArtifactName, listArtifacts } from '../api/artifacts';
import { RUN_ID } from '../domain/ids';
import type { HostFileChunk, HostFileEntry, HostFileRead } from '../domain/hostFiles';
import { HOST_FILE_CHUNK_BYTES } from '../domain/hostFiles';
import type { ActivityDeps } from './deps';

function checkedRunId(runId: string): string {
  if (!RUN_ID.test(runId))
    throw ApplicationFailure.nonRetryable(`runId: "${runId}" is not a run id`, 'INVALID_REQUEST');
  return runId;
}

export function createRunFileActivities({ config }: ActivityDeps) {
  const dirs = { runsDir: path.resolve(config.runsDir), outputDir: path.resolve(config.outputDir) };
  return {
    /** The listed files run `runId` has on this host. */
    async listRunFiles({ runId }: { runId: string }): Promise<HostFileEntry[]> {
      return listArtifacts(dirs, checkedRunId(runId));
    },

    /** One byte range of a listed file, or null when this host has no such file. */
    async readRunFile({ runId, name, start, length }: HostFileRead): Promise<HostFileChunk | null> {
      if (!isArtifactName(name))
        throw ApplicationFailure.nonRetryable(`name: "${name}" is not a run file the API serves`, 'INVALID_REQUEST');
      if (
        !Number.isInteger(start) ||
        start < 0 ||
        !Number.isInteger(length) ||
        length < 0 ||
        length > HOST_FILE_CHUNK_BYTES
      )
        throw ApplicationFailure.nonRetryable(
          `start/length: ${start}/${length} must be whole bytes, at most ${HOST_FILE_CHUNK_BYTES} at once`,
          'INVALID_REQUEST',
        );
      const file = await findArtifact(dirs, checkedRunId(runId), name);
      if (!file) return null;
      const handle = await open(file, 'r');
      try {
        const { size } = await handle.stat();
        const wanted = Math.max(0, Math.min(length, size - start));
        const buffer = Buffer.alloc(wanted);
        const { bytesRead } = wanted > 0 ? await handle.read(buffer, 0, wanted, start) : { bytesRead: 0 };
        return { size, start, base64: buffer.subarray(0, bytesRead).toString('base64') };
      } finally {
        await handle.close();
      }
    },
  };
}
