/**
 * Thin promise layer over fluent-ffmpeg: probing, running a command with progress and
 * cancellation, and reading raw frames. Everything else in media/ builds on these three.
 */
import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegCommand, FfprobeData } from 'fluent-ffmpeg';
import { BOUND_WRAPPER, canBindToWorker } from './processes';

// Every ffmpeg fluent-ffmpeg starts dies with the worker (the wrapper still honours FFMPEG_PATH).
if (canBindToWorker) ffmpeg.setFfmpegPath(BOUND_WRAPPER);

export interface MediaProbe {
  durationS: number;
  formatName: string;
  video?: { width: number; height: number; fps: number; codec: string };
  audio?: { codec: string; sampleRate: number; channels: number };
  /** Absolute stream indexes of subtitle streams. */
  subtitleStreams: { index: number; codec: string }[];
  tags: Record<string, string>;
}

function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [num, den] = rate.split('/').map(Number);
  if (!num || !den) return Number(rate) || 0;
  return num / den;
}

/** ffprobe's refusal, with the reason it gave (its last line, without the file name it starts with). */
export class ProbeError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`ffprobe could not read ${file}: ${reason}`);
  }
}

function probeReason(file: string, message: string): string {
  const last = message.trim().split('\n').at(-1)?.trim() ?? '';
  const reason = last.startsWith(`${file}: `) ? last.slice(file.length + 2) : last;
  return reason || firstLine(message);
}

export function probe(file: string): Promise<MediaProbe> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (err: Error | null, data: FfprobeData) => {
      if (err) return reject(new ProbeError(file, probeReason(file, err.message)));
      const video = data.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
      const audio = data.streams.find((s) => s.codec_type === 'audio');
      const tags: Record<string, string> = {};
      for (const [key, value] of Object.entries(data.format.tags ?? {})) tags[key.toLowerCase()] = String(value);
      resolve({
        durationS: Number(data.format.duration) || Number(video?.duration) || 0,
        formatName: data.format.format_name ?? '',
        ...(video
          ? {
              video: {
                width: video.width ?? 0,
                height: video.height ?? 0,
                fps: parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate),
                codec: video.codec_name ?? '',
              },
            }
          : {}),
        ...(audio
          ? {
              audio: {
                codec: audio.codec_name ?? '',
                sampleRate: Number(audio.sample_rate) || 0,
                channels: audio.channels ?? 0,
              },
            }
          : {}),
        subtitleStreams: data.streams
          .filter((s) => s.codec_type === 'subtitle')
          .map((s) => ({ index: s.index, codec: s.codec_name ?? '' })),
        tags,
      });
    });
  });
}

export interface RunOptions {
  /** Seconds of output expected, so progress can be reported as a fraction. */
  expectedDurationS?: number;
  onProgress?: (fraction: number) => void;
  /** Aborting kills ffmpeg (activity cancellation). */
  signal?: AbortSignal;
}

/** Runs a prepared command to completion; resolves with ffmpeg's stderr (filters like blackdetect report there). */
export function run(command: FfmpegCommand, options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const { expectedDurationS, onProgress, signal } = options;
    if (signal?.aborted) return reject(new Error('ffmpeg was cancelled before it started'));
    const onAbort = () => command.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    command
      .on('progress', (p: { timemark?: string }) => {
        if (!onProgress || !expectedDurationS || !p.timemark) return;
        onProgress(Math.min(1, timemarkToSeconds(p.timemark) / expectedDurationS));
      })
      .on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new Error(`ffmpeg failed: ${firstLine(err.message)}${stderr ? `\n${tail(stderr)}` : ''}`));
      })
      .on('end', (_stdout: string | null, stderr: string | null) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(stderr ?? '');
      })
      .run();
  });
}

/** A single grayscale frame at `atS`, scaled to width×height, as raw 8-bit pixels (row-major). */
export function grayFrame(file: string, atS: number, width: number, height: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const command = ffmpeg(file)
      .seekInput(atS)
      .outputOptions(['-frames:v', '1', '-vf', `scale=${width}:${height},format=gray`, '-f', 'rawvideo'])
      .on('error', (err: Error) =>
        reject(new Error(`could not read a frame of ${file} at ${atS}s: ${firstLine(err.message)}`)),
      );
    const stream = command.pipe();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const frame = Buffer.concat(chunks);
      if (frame.length !== width * height) reject(new Error(`no frame in ${file} at ${atS}s`));
      else resolve(frame);
    });
  });
}

export interface FrameReadOptions {
  /** Threads of the source's decoder; ffmpeg chooses when unset. */
  decoderThreads?: number;
}

/**
 * Frames every `intervalS` seconds over [startS, startS + durationS), scaled to width×height, read
 * in one ffmpeg pass: frame i shows time startS + i·intervalS. Grayscale (1 byte a pixel) or RGB (3).
 */
export async function frameSeries(
  file: string,
  startS: number,
  durationS: number,
  intervalS: number,
  width: number,
  height: number,
  pixelFormat: 'gray' | 'rgb24' = 'gray',
  options: FrameReadOptions = {},
): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  for await (const frame of frameStream(file, startS, durationS, intervalS, width, height, pixelFormat, options))
    frames.push(frame);
  return frames;
}

/**
 * The frames of `frameSeries`, each as soon as ffmpeg has decoded it, so a caller can work on the
 * first frames while the rest decode (the decode runs on its own core). ffmpeg's output is read as
 * fast as it comes, never paused by a slow consumer: a paused pipe would stall the decode.
 */
export async function* frameStream(
  file: string,
  startS: number,
  durationS: number,
  intervalS: number,
  width: number,
  height: number,
  pixelFormat: 'gray' | 'rgb24' = 'gray',
  { decoderThreads }: FrameReadOptions = {},
): AsyncGenerator<Buffer> {
  const size = width * height * (pixelFormat === 'rgb24' ? 3 : 1);
  const ready: Buffer[] = [];
  // Pipe chunks (~64 KiB) not yet cut into frames.
  let parts: Buffer[] = [];
  let partsLength = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const command = ffmpeg(file)
    .inputOptions([
      ...(decoderThreads ? ['-threads', String(decoderThreads)] : []),
      '-ss',
      startS.toFixed(3),
      '-t',
      durationS.toFixed(3),
    ])
    .outputOptions([
      '-vf',
      `fps=1/${intervalS}:round=down,scale=${width}:${height},format=${pixelFormat}`,
      '-f',
      'rawvideo',
    ])
    .on('error', (err: Error) => {
      // An error after all the output has come is not reported (as frameSeries never did): most
      // often it is fluent-ffmpeg's 'Output stream closed', when under load the process's exit is
      // not seen within 20 ms of the pipe closing; a decode that failed part-way gives fewer frames.
      if (ended) return;
      failure = new Error(`could not read frames of ${file}: ${firstLine(err.message)}`);
      notify();
    });
  const stream = command.pipe();
  stream.on('data', (chunk: Buffer) => {
    parts.push(chunk);
    partsLength += chunk.length;
    if (partsLength < size) return;
    const all = Buffer.concat(parts);
    let offset = 0;
    // Frames are views into the joined chunks (one copy of each byte, not two): a frame kept keeps
    // the chunks it was joined from.
    for (; offset + size <= all.length; offset += size) ready.push(all.subarray(offset, offset + size));
    parts = offset < all.length ? [all.subarray(offset)] : [];
    partsLength = all.length - offset;
    notify();
  });
  stream.on('end', () => {
    ended = true;
    notify();
  });
  try {
    for (;;) {
      const frame = ready.shift();
      if (frame) {
        yield frame;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // A caller that stops early (or fails) does not leave the decode running.
    if (!ended && !failure) command.kill('SIGKILL');
  }
}

export function timemarkToSeconds(timemark: string): number {
  const parts = timemark.split(':').map(Number);
  return parts.reduce((total, part) => total * 60 + (Number.isFinite(part) ? part : 0), 0);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export { ffmpeg };
