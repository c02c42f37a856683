/**
 * A run's files served from the host that holds them: the API asks that host's worker for one byte
 * range at a time (through a short workflow that runs one activity on the host's queue), so nothing
 * needs a shared disk. Pure types and sizes, shared by the API, the workflow and the activity.
 */

/**
 * The most bytes one read returns. Activity results travel as Temporal payloads (JSON, so the bytes
 * are base64: 256 KiB becomes ~350 KB): well under the server's 2 MB payload limit, and under the
 * 512 KB size at which it logs a warning for every payload.
 */
export const HOST_FILE_CHUNK_BYTES = 256 * 1024;

/** Read `length` bytes (at most HOST_FILE_CHUNK_BYTES; 0 only asks the size) of run `runId`'s file `name`. */
export interface HostFileRead {
  runId: string;
  name: string;
  start: number;
  length: number;
}

/** What a read found: the file's size and the bytes from `start`, base64 (JSON payloads carry no binary). */
export interface HostFileChunk {
  size: number;
  start: number;
  base64: string;
}

/** The listed files a run has on its host, with sizes. */
export interface HostFileEntry {
  name: string;
  bytes: number;
}

/** A host-file workflow's input: which host queue to ask, and what. */
export interface HostFilesInput<R> {
  hostQueue: string;
  request: R;
}
