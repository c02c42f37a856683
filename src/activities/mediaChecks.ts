/** File and media checks shared by ROUTER and RESEARCH: each failure names the file and its role. */
import { access, stat } from 'node:fs/promises';
import { ErrorType } from '../domain/errors';
import { MOMENT_MIN_S } from '../domain/reel';
import type { MediaProbe } from '../media/ffmpeg';
import { ffmpeg, probe, ProbeError, run } from '../media/ffmpeg';
import { failure } from './failures';

export async function requireFile(file: string, role: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    await access(file);
  } catch {
    throw failure(ErrorType.MEDIA_NOT_FOUND, `${role} not found or not readable: ${file}`);
  }
}

export async function probeVideo(
  file: string,
  role: string,
): Promise<MediaProbe & { video: NonNullable<MediaProbe['video']> }> {
  let info: MediaProbe;
  try {
    info = await probe(file);
  } catch (err) {
    const reason = err instanceof ProbeError ? err.reason : (err as Error).message;
    throw failure(ErrorType.MEDIA_INVALID, `${role} is not readable media: ${file} (${reason})`);
  }
  // ffprobe reads any text file as a "tty" video (ANSI art); that is never what a user meant.
  if (!info.video || info.formatName === 'tty') {
    throw failure(ErrorType.MEDIA_INVALID, `${role} has no video stream: ${file}`);
  }
  return { ...info, video: info.video };
}

/** ffprobe trusts a file's extension for images; decoding its first frame shows it really is one. */
export async function requireDecodable(file: string, role: string): Promise<void> {
  try {
    await run(ffmpeg(file).frames(1).outputOptions(['-f', 'null']).output('-'));
  } catch (err) {
    throw failure(
      ErrorType.MEDIA_INVALID,
      `${role} cannot be decoded: ${file} (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/**
 * A source shorter than the shortest moment cannot make a reel. ROUTER says so for a local file (in
 * seconds, from its probe); RESEARCH for a download, once it has the file.
 */
export function requireLongEnough(durationS: number): void {
  if (durationS < MOMENT_MIN_S) {
    throw failure(
      ErrorType.MEDIA_INVALID,
      `source video is ${durationS.toFixed(1)} s long; a reel needs at least ${MOMENT_MIN_S} s`,
    );
  }
}
