/** Sending files from disk with HTTP Range support (video seeking needs it). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Parses `bytes=a-b` against a file size; undefined means "the whole file". */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | 'invalid' {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (!match[1] && !match[2])) return 'invalid';
  let start = match[1] ? Number(match[1]) : size - Number(match[2]);
  let end = match[1] && match[2] ? Number(match[2]) : size - 1;
  start = Math.max(0, start);
  end = Math.min(end, size - 1);
  return start > end || start >= size ? 'invalid' : { start, end };
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.srt': 'application/x-subrip; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
  '.ass': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True when `file` (resolved) lies inside `dir`. */
export function isInside(dir: string, file: string): boolean {
  return path.resolve(file).startsWith(`${path.resolve(dir)}${path.sep}`);
}

/** Bytes to send: their size, a name that gives the content type, and a stream of a range (or all). */
export interface ByteSource {
  size: number;
  name: string;
  stream(range?: { start: number; end: number }): Readable;
}

/** Sends `source` (whole, or the requested range) with its content type; `attachment` names a download. */
export function sendBytes(
  request: FastifyRequest,
  reply: FastifyReply,
  source: ByteSource,
  attachment?: string,
): FastifyReply {
  const { size } = source;
  const range = parseRange(request.headers.range, size);
  if (range === 'invalid')
    return reply.code(416).header('content-range', `bytes */${size}`).send({ error: 'range not satisfiable' });
  reply.header('accept-ranges', 'bytes').header('content-type', contentType(source.name));
  if (attachment) reply.header('content-disposition', `attachment; filename="${attachment.replace(/[^\w.-]/g, '_')}"`);
  if (!range) return reply.header('content-length', size).send(source.stream());
  return reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
    .header('content-length', range.end - range.start + 1)
    .send(source.stream(range));
}

/** Streams `file` from this host's disk (whole, or the requested range). */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: string,
  attachment?: string,
): Promise<FastifyReply> {
  const { size } = await stat(file);
  return sendBytes(request, reply, { size, name: file, stream: (range) => createReadStream(file, range) }, attachment);
}
