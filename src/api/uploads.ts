/**
 * Uploaded sources and transcripts: streamed to `RUNS_DIR/uploads/<upload id>/<name>` with a size
 * cap (SOURCE_MAX_BYTES, the same cap as URL sources). Past the cap the partial file is removed and
 * the caller gets an error that says so. The file's server path is then used like any other path.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const UPLOAD_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.webm', '.m4v', '.srt', '.vtt'];

export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

const megabytes = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(bytes < 1024 ** 2 ? 2 : 0)} MB`;

/** A file name safe to keep: the base name, with anything but letters, digits, '.', '-' and '_' replaced. */
export function safeUploadName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim()) throw new UploadError('name: the file name is missing', 400);
  const base = path
    .basename(name.trim())
    .replace(/[^\w.-]/g, '_')
    .replace(/^\.+/, '');
  const ext = path.extname(base).toLowerCase();
  if (!base || !UPLOAD_EXTENSIONS.includes(ext))
    throw new UploadError(`name: "${name}" is not a video or transcript (${UPLOAD_EXTENSIONS.join(', ')})`, 400);
  return base.slice(-120);
}

export async function saveUpload(options: {
  body: Readable;
  name: unknown;
  declaredBytes?: number;
  runsDir: string;
  maxBytes: number;
}): Promise<{ path: string; name: string; bytes: number }> {
  const name = safeUploadName(options.name);
  const tooLarge = () =>
    new UploadError(
      `${name} is larger than the upload limit of ${megabytes(options.maxBytes)} (SOURCE_MAX_BYTES); pass a server path or a URL instead, or raise the limit`,
      413,
    );
  if (options.declaredBytes !== undefined && options.declaredBytes > options.maxBytes) throw tooLarge();
  const dir = path.join(options.runsDir, 'uploads', `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
  const file = path.join(dir, name);
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > options.maxBytes ? tooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(options.body, cap, createWriteStream(file, { flags: 'wx' }));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (err instanceof UploadError) throw err;
    throw new UploadError(`${name}: the upload did not finish (${(err as Error).message})`, 400);
  }
  if (bytes === 0) {
    await rm(dir, { recursive: true, force: true });
    throw new UploadError(`${name} is empty`, 400);
  }
  return { path: file, name, bytes };
}
