/**
 * A run's files when they are not on the API's own disk: the host that holds the run serves them
 * (src/activities/runFiles.ts), one chunk per short workflow (src/workflows/hostFiles.ts).
 *
 * Which host: the run's history says it. A pinned run schedules its activities on its host's queues
 * (src/workflows/activityRoutes.ts), so the newest activity scheduled on a `<queue>-host-<id>` or
 * `<queue>-media-<id>` queue names the host that holds its workspace now.
 */
import type { Client } from '@temporalio/client';
import { isGrpcServiceError, WorkflowFailedError } from '@temporalio/client';
import { TimeoutFailure, TimeoutType } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { HostFileChunk, HostFileEntry } from '../domain/hostFiles';
import { HOST_FILE_CHUNK_BYTES } from '../domain/hostFiles';
import { hostQueuesOf } from '../domain/hosts';
import type { listHostFiles, readHostFile } from '../workflows/hostFiles';
import { sendBytes } from './files';

/** The host's light queue for a queue name a pinned run used, or undefined for any other queue. */
export function hostQueueOfActivityQueue(taskQueue: string, activityQueue: string): string | undefined {
  for (const kind of ['host', 'media'] as const) {
    const prefix = `${taskQueue}-${kind}-`;
    if (activityQueue.startsWith(prefix)) return hostQueuesOf(taskQueue, activityQueue.slice(prefix.length)).hostQueue;
  }
  return undefined;
}

/** The host that does not answer: the API says which and why, with 503 (try again when it is back). */
/** gRPC's NOT_FOUND status code. */
const GRPC_NOT_FOUND = 5;

export class HostUnavailableError extends Error {
  override name = 'HostUnavailableError';
}

export class HostFiles {
  /** Closed runs never move: their host is looked up once. */
  private readonly closedRunHosts = new Map<string, string | undefined>();

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** The light queue of the host holding run `id`'s workspace; undefined when the run was never pinned. */
  async hostQueueOf(id: string): Promise<string | undefined> {
    if (this.closedRunHosts.has(id)) return this.closedRunHosts.get(id);
    const execution = { workflowId: id };
    const { namespace } = this.client.options;
    let found: string | undefined;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService
        .getWorkflowExecutionHistoryReverse({
          namespace,
          execution,
          maximumPageSize: 200,
          ...(nextPageToken ? { nextPageToken } : {}),
        })
        .catch((err: unknown) => {
          // No such run in Temporal (its history was deleted, or files copied in by hand): no host to ask.
          if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) return undefined;
          throw err;
        });
      if (!page) return undefined;
      for (const event of page.history?.events ?? []) {
        const queue = event.activityTaskScheduledEventAttributes?.taskQueue?.name;
        found = queue ? hostQueueOfActivityQueue(this.taskQueue, queue) : undefined;
        if (found) break;
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (!found && nextPageToken);
    const { status } = await this.client.workflow.getHandle(id).describe();
    if (status.name !== 'RUNNING') {
      if (this.closedRunHosts.size > 1000) this.closedRunHosts.clear();
      this.closedRunHosts.set(id, found);
    }
    return found;
  }

  /** The listed files run `id` has on its host (empty when it was never pinned). */
  async list(id: string): Promise<HostFileEntry[]> {
    const hostQueue = await this.hostQueueOf(id);
    if (!hostQueue) return [];
    return this.ask<typeof listHostFiles>('listHostFiles', hostQueue, { runId: id });
  }

  /**
   * Sends file `name` of run `id` from its host (Range works, so a video seeks); undefined when the
   * run has no host or its host has no such file, so the caller answers 404.
   */
  async send(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    name: string,
    attachment?: string,
  ): Promise<FastifyReply | undefined> {
    const hostQueue = await this.hostQueueOf(id);
    if (!hostQueue) return undefined;
    const read = (start: number, length: number) =>
      this.ask<typeof readHostFile>('readHostFile', hostQueue, { runId: id, name, start, length });
    const first = await read(0, 0);
    if (!first) return undefined;
    const stream = (range = { start: 0, end: first.size - 1 }) => Readable.from(hostFileChunks(read, range));
    return sendBytes(request, reply, { size: first.size, name, stream }, attachment);
  }

  private async ask<W extends typeof listHostFiles | typeof readHostFile>(
    workflow: string,
    hostQueue: string,
    request: Parameters<W>[0]['request'],
  ): Promise<Awaited<ReturnType<W>>> {
    try {
      return (await this.client.workflow.execute(workflow, {
        taskQueue: this.taskQueue,
        workflowId: `host-files-${randomUUID()}`,
        args: [{ hostQueue, request }],
        // Bounded: the host's pickup timeout fails it first when the host is down.
        workflowExecutionTimeout: '2 minutes',
      })) as Awaited<ReturnType<W>>;
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw new HostUnavailableError(hostFailureMessage(err, hostQueue));
      throw err;
    }
  }
}

/** Why a host did not serve a run's files, in words: a read no worker picked up means the host is down. */
export function hostFailureMessage(err: WorkflowFailedError, hostQueue: string): string {
  let e: Error = err;
  while (e.cause instanceof Error) e = e.cause;
  const why =
    e instanceof TimeoutFailure && e.timeoutType === TimeoutType.SCHEDULE_TO_START
      ? "no worker of that host picked the read up in time (is the host's worker running?)"
      : e.message;
  return `the host that holds the run's files (task queue ${hostQueue}) did not serve them: ${why}`;
}

/**
 * Reads in flight at once. Each read is a short workflow and an activity on the host (about 0.7 s
 * here for 256 KiB), so one read at a time streamed ~0.34 MB/s; a window of them overlaps those
 * round trips while keeping at most this many chunks buffered.
 */
export const HOST_FILE_READS_AHEAD = 4;

/** The bytes of `range` in order, one chunk per read, up to `readsAhead` reads asked ahead. */
export async function* hostFileChunks(
  read: (start: number, length: number) => Promise<HostFileChunk | null>,
  { start, end }: { start: number; end: number },
  readsAhead = HOST_FILE_READS_AHEAD,
): AsyncGenerator<Buffer> {
  const pending: { at: number; length: number; chunk: Promise<HostFileChunk | null> }[] = [];
  let asked = start;
  const askAhead = () => {
    while (pending.length < readsAhead && asked <= end) {
      const length = Math.min(HOST_FILE_CHUNK_BYTES, end - asked + 1);
      const chunk = read(asked, length);
      chunk.catch(() => undefined); // read when awaited; unhandled only if the client went away
      pending.push({ at: asked, length, chunk });
      asked += length;
    }
  };
  askAhead();
  while (pending.length > 0) {
    const { at, length, chunk } = pending.shift()!;
    const bytes = Buffer.from((await chunk)?.base64 ?? '', 'base64');
    // The file changed between reads: stop rather than send a short or shifted body as complete.
    if (bytes.length !== length)
      throw new Error(`the file ended at byte ${at + bytes.length} of ${end + 1} on its host`);
    askAhead();
    yield bytes;
  }
}
