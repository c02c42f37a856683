/**
 * The reel's one full encode of the picture: one ffmpeg command reads the moment from the source
 * once and, in a single filter graph, frames each layout segment (crops, stacks, the transition at
 * each layout change), joins them, lays the cutaways (user clips and B-roll) and the overlay images
 * over them, and burns the captions and the hook title on top (libass). The moment's audio is
 * encoded once, as one file, alongside the picture, and copied in, so it runs on unbroken under every
 * cut, cutaway and chunk join.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LayoutSegment } from '../domain/reel';
import type { Transition } from '../domain/directives';
import type { ReelSpan } from './chunks';
import { crossfadeSpans, planChunks } from './chunks';
import { concatCopy } from './concat';
import type { CutawayLayer } from './cutaways';
import { cutawaySteps } from './cutaways';
import type { EncodingSettings, FrameSize } from './encoding';
import { videoOutputOptions } from './encoding';
import { ffmpeg, probe, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';
import type { ImageLayer } from './imageOverlay';
import { imageInputOptions, imageSteps } from './imageOverlay';
import { crossfadeFilter, reframeFilter, relabel, renderMomentAudio, TRANSITION_S } from './reframe';

export interface PictureInput {
  source: string;
  sourceWidth: number;
  sourceHeight: number;
  /** In order, back to back; the first starts the reel. */
  segments: LayoutSegment[];
  transition: Transition;
  frame: FrameSize;
}

export interface Layers {
  /** Must not overlap in time (the plan sees to it). */
  cutaways: CutawayLayer[];
  /** May overlap; later ones are drawn on top. */
  images: ImageLayer[];
  /** An .ass file drawn over everything (captions, hook title). */
  assPath?: string;
}

/** Seconds of picture the segments cover. */
export function pictureDurationS(segments: LayoutSegment[]): number {
  return segments[segments.length - 1]!.endS - segments[0]!.startS;
}

/** Seconds with millisecond precision, as ffmpeg options and filter arguments take them. */
const sec = (s: number) => s.toFixed(3);

/**
 * The graph from input 0 (the source, seeked to the reel's time `span.fromS`) to `[base]`, for the
 * reel's span `span`: each segment that overlaps the span trimmed out of the one decode, framed
 * with its strategy and its transition on the segment's own clock (seconds from the segment's
 * start, whatever part of it the span holds, so a crop path or a fade is where it would be in a
 * render of the whole reel), then joined. `[base]` carries reel time (the span starts at fromS).
 */
export function framedSegmentsFilter(input: PictureInput, span: ReelSpan = wholeReel(input)): string {
  const { segments, transition, frame } = input;
  const first = segments[0]!.startS;
  const last = segments.length - 1;
  // Reel-relative bounds of each segment, and the segments this span holds.
  const parts = segments
    .map((segment, i) => ({ segment, i, fromS: segment.startS - first, toS: segment.endS - first }))
    .filter((p) => p.toS > span.fromS && p.fromS < span.toS);
  if (parts.length === 0) throw new Error(`no segment overlaps the reel's span ${sec(span.fromS)}–${sec(span.toS)} s`);
  const toReelTime = span.fromS > 0 ? `setpts=PTS+${sec(span.fromS)}/TB,` : '';
  const steps: string[] = [
    parts.length === 1
      ? `[0:v]${toReelTime}null[s0in]`
      : `[0:v]${toReelTime}split=${parts.length}${parts.map((_, k) => `[s${k}in]`).join('')}`,
  ];
  for (const [k, { segment, i, fromS, toS }] of parts.entries()) {
    const from = Math.max(fromS, span.fromS);
    const to = Math.min(toS, span.toS);
    const durationS = segment.endS - segment.startS;
    // On the segment's clock from here.
    steps.push(`[s${k}in]trim=start=${sec(from)}:end=${sec(to)},setpts=PTS-${sec(fromS)}/TB[s${k}src]`);
    // A crossfade needs the segment's first frames; planChunks keeps span starts out of it.
    const graph =
      transition === 'fade' && i > 0 && from === fromS
        ? crossfadeFilter(segments[i - 1]!, segment, input.sourceWidth, input.sourceHeight, frame)
        : reframeFilter(segment, input.sourceWidth, input.sourceHeight, frame);
    // A dip to black at each layout change: out at a segment's end, in at the next one's start.
    const fades = [
      transition === 'dip_to_black' && i > 0 ? `fade=t=in:st=0:d=${TRANSITION_S}` : '',
      transition === 'dip_to_black' && i < last
        ? `fade=t=out:st=${sec(durationS - TRANSITION_S)}:d=${TRANSITION_S}`
        : '',
    ].filter(Boolean);
    const faded = fades.length > 0 ? graph.replace(/\[v\]$/, `[framed];[framed]${fades.join(',')}[v]`) : graph;
    steps.push(relabel(faded, `s${k}src`, `s${k}framed`, `s${k}_`));
    // concat lays each part after the one before; the first starts the span (at its offset in it).
    const clock = k === 0 ? `setpts=PTS-${sec(from - fromS)}/TB` : 'setpts=PTS-STARTPTS';
    steps.push(`[s${k}framed]${clock}[s${k}out]`);
  }
  const back = span.fromS > 0 ? `setpts=PTS+${sec(span.fromS)}/TB` : 'null';
  steps.push(
    parts.length === 1
      ? `[s0out]${back}[base]`
      : `${parts.map((_, k) => `[s${k}out]`).join('')}concat=n=${parts.length}:v=1:a=0,${back}[base]`,
  );
  return steps.join(';');
}

/** The whole reel as one span. */
export function wholeReel(input: Pick<PictureInput, 'segments'>): ReelSpan {
  return { fromS: 0, toS: pictureDurationS(input.segments) };
}

/** The layers a span shows (cutaways and images that overlap it); the others are not read at all. */
export function layersIn(layers: Layers, span: ReelSpan): Layers {
  const overlaps = (l: { startS: number; durationS: number }) =>
    l.startS < span.toS && l.startS + l.durationS > span.fromS;
  return { ...layers, cutaways: layers.cutaways.filter(overlaps), images: layers.images.filter(overlaps) };
}

/**
 * A file path as a filter option value inside a filter graph: escaped once for the filter's option
 * parser (\ ' :) and once more for the graph parser (\ ' [ ] , ;).
 */
export function filterPath(file: string): string {
  const option = file.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

/**
 * The whole graph for the reel's span `span` (default: all of it): framed segments, then the
 * cutaways (inputs 1…) and images of `layers` (already narrowed to the span, see layersIn), then
 * captions; output [vout], whose clock starts at the span's start.
 */
export function finalFilter(input: PictureInput, layers: Layers, span: ReelSpan = wholeReel(input)): string {
  const steps = [framedSegmentsFilter(input, span)];
  let under = 'base';
  let index = 1;
  for (const layer of layers.cutaways) {
    steps.push(...cutawaySteps(index, layer, under, `l${index}`, input.frame));
    under = `l${index++}`;
  }
  for (const layer of layers.images) {
    steps.push(...imageSteps(index, layer, under, `l${index}`, input.frame));
    under = `l${index++}`;
  }
  // Captions and the hook are the top layer: visible over cutaways and under nothing. libass reads
  // each frame's reel time, so the span keeps reel time up to here and starts at 0 after.
  const captions = layers.assPath ? `ass=filename=${filterPath(layers.assPath)},` : '';
  const spanClock = span.fromS > 0 ? `,setpts=PTS-${sec(span.fromS)}/TB` : '';
  steps.push(`[${under}]${captions}format=yuv420p${spanClock}[vout]`);
  return steps.join(';');
}

/** Where a chunked render keeps its chunks, and what it was told of an earlier attempt. */
export interface ChunkOptions {
  /** Folder of finished chunks (the run's workspace keeps it across attempts). */
  dir: string;
  /** This attempt's number, in the temporary names of the chunks it writes. */
  attempt: number;
  /** Chunk files an earlier attempt finished (its heartbeat details). */
  done: string[];
  /** Called with every chunk file finished so far (this attempt's and the earlier ones it kept). */
  onChunk: (done: string[]) => void;
  /** Seconds of reel per chunk (RENDER_CHUNK_S). */
  chunkS: number;
}

/**
 * The moment's audio for a render: the file at `path`, and `encode`, which writes it there unless a
 * finished file already is (ASSEMBLY retried, or FFMPEG_ENGINEER encoded it, as it did before the
 * audio moved into ASSEMBLY).
 */
export interface ReelAudio {
  path: string;
  encode: (signal?: AbortSignal) => Promise<void>;
}

/** Where attempt `attempt` writes `final` until it is complete: a retry never writes where an earlier attempt's orphan may. */
export function attemptPath(final: string, attempt: number): string {
  const ext = path.extname(final);
  return path.join(path.dirname(final), `.${path.basename(final, ext)}.attempt-${attempt}.partial${ext}`);
}

/**
 * The moment's audio (the source from the first segment's start, as long as the picture), encoded
 * under a temporary name for `attempt` and renamed when complete, so a crash never leaves half a
 * file under the name a retry would copy.
 */
export function momentAudio(
  plan: { source: string; segments: LayoutSegment[]; audioPath: string },
  attempt = 1,
): ReelAudio {
  const file = plan.audioPath;
  return {
    path: file,
    encode: async (signal) => {
      if (await isFile(file)) return;
      const partial = attemptPath(file, attempt);
      await mkdir(path.dirname(file), { recursive: true });
      await renderMomentAudio({
        source: plan.source,
        hasAudio: Boolean((await probe(plan.source)).audio),
        startS: plan.segments[0]!.startS,
        durationS: pictureDurationS(plan.segments),
        output: partial,
        ...(signal ? { signal } : {}),
      });
      await rename(partial, file);
    },
  };
}

/** What a render did: how many chunks the reel had, and which of them this call encoded. */
export interface RenderReport {
  chunks: number;
  encoded: number;
  reused: number;
}

/**
 * Renders the reel: picture from `input` with `layers`, audio copied from `audio.path` (as long as
 * the picture). Writes `output` and the audio file only; the caller renames `output` into place.
 *
 * With `options.chunks`, a reel longer than one chunk (src/media/chunks.ts) is still one ffmpeg
 * command, whose output is cut into the chunks as it is encoded (a keyframe forced at each
 * boundary, the segment muxer starting a file there): each finished chunk is renamed from its
 * temporary name when ffmpeg lists it, and reported, so a crash mid-render redoes at most the
 * chunk being encoded. Chunks finished by an earlier attempt are kept, and the missing ones are
 * encoded (again one command for each run of missing chunks). The audio is encoded beside the
 * picture; the chunks are then joined by stream copy with the audio muxed in once. A reel of one
 * chunk is one command, as without `chunks`, after the audio.
 */
export async function renderReel(
  input: PictureInput,
  layers: Layers,
  audio: ReelAudio,
  output: string,
  encoding: EncodingSettings,
  options: RunOptions & { chunks?: ChunkOptions } = {},
): Promise<RenderReport> {
  const { chunks, ...runOptions } = options;
  const durationS = pictureDurationS(input.segments);
  const spans = chunks
    ? planChunks(durationS, chunks.chunkS, [
        ...crossfadeSpans(input.segments, input.transition),
        ...[...layers.cutaways, ...layers.images].map((l) => ({ fromS: l.startS, toS: l.startS + l.durationS })),
      ])
    : [];
  if (!chunks || spans.length <= 1) {
    await audio.encode(runOptions.signal);
    await encodeSpan(input, layers, wholeReel(input), audio.path, output, encoding, runOptions);
    return { chunks: 1, encoded: 1, reused: 0 };
  }
  await mkdir(chunks.dir, { recursive: true });
  const files = spans.map((span, index) => {
    // Named by everything that decides its pixels, so a chunk of another plan is never reused.
    const key = createHash('sha256')
      .update(JSON.stringify([input, layersIn(layers, span), span, encoding]))
      .digest('hex')
      .slice(0, 16);
    return path.join(chunks.dir, `chunk-${String(index).padStart(3, '0')}-${key}.mp4`);
  });
  // A chunk under its final name is complete (renamed only then), whether or not the heartbeat
  // that recorded it reached the server before the crash.
  const present = await Promise.all(files.map(isFile));
  const finished = new Set(files.filter((_, i) => present[i]).map((f) => path.basename(f)));
  for (const name of chunks.done) finished.add(name);
  if (present.some(Boolean)) chunks.onChunk([...finished]);
  let encoded = 0;
  const stop = new AbortController();
  follow(runOptions.signal, stop);
  // Each run of missing chunks, in order, as one segmented encode.
  const picture = async () => {
    for (let from = present.indexOf(false); from >= 0; from = present.indexOf(false, from)) {
      const to = present.indexOf(true, from) < 0 ? spans.length : present.indexOf(true, from);
      await encodeChunks(input, layers, spans.slice(from, to), from, encoding, {
        dir: chunks.dir,
        attempt: chunks.attempt,
        signal: stop.signal,
        ...(runOptions.onProgress ? { onProgress: runOptions.onProgress, reelDurationS: durationS } : {}),
        onDone: async (index) => {
          await rename(chunkPartial(chunks.dir, chunks.attempt, index), files[index]!);
          present[index] = true;
          encoded += 1;
          finished.add(path.basename(files[index]!));
          chunks.onChunk([...finished]);
        },
      });
    }
  };
  // One failing stops the other, and the render ends only once both have settled, so no encode
  // (or its rename and heartbeat) outlives the attempt.
  const settled = await Promise.allSettled(
    [audio.encode(stop.signal), picture()].map((work) =>
      work.catch((err: unknown) => {
        stop.abort();
        throw err;
      }),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  // Joined by stream copy, the audio muxed in once.
  await concatCopy(
    files,
    output,
    path.join(chunks.dir, 'concat.txt'),
    { ...(runOptions.signal ? { signal: runOptions.signal } : {}) },
    {
      path: audio.path,
      durationS,
    },
  );
  return { chunks: spans.length, encoded, reused: spans.length - encoded };
}

/** Aborts `controller` when `signal` aborts, or at once if it already has. */
function follow(signal: AbortSignal | undefined, controller: AbortController): void {
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', () => controller.abort(), { once: true });
}

/** A segment length no chunk reaches (a day). */
const ONE_SEGMENT_S = '86400';

/** Where attempt `attempt` writes chunk `index` until it is complete. */
function chunkPartial(dir: string, attempt: number, index: number): string {
  return path.join(dir, `.chunk-${String(index).padStart(3, '0')}.attempt-${attempt}.partial.mp4`);
}

/**
 * One ffmpeg command for the back-to-back `spans` (chunks `first`…), video only, its output cut
 * into one file per span by the segment muxer: a keyframe (an IDR, so each file decodes on its
 * own) forced at each boundary, the segment starting there. The muxer lists a segment once its
 * file is written out (trailer included), and `onDone` is called with each listed chunk's index,
 * one at a time, in order; the command ends only after the last of them.
 */
async function encodeChunks(
  input: PictureInput,
  layers: Layers,
  spans: ReelSpan[],
  first: number,
  encoding: EncodingSettings,
  options: {
    dir: string;
    attempt: number;
    signal: AbortSignal;
    onProgress?: (fraction: number) => void;
    reelDurationS?: number;
    onDone: (index: number) => Promise<void>;
  },
): Promise<void> {
  const range = { fromS: spans[0]!.fromS, toS: spans[spans.length - 1]!.toS };
  const boundaries = spans.slice(1).map((s) => sec(s.fromS - range.fromS));
  const list = path.join(options.dir, `.segments.attempt-${options.attempt}.txt`);
  await rm(list, { force: true });
  const pattern = chunkPartial(options.dir, options.attempt, 0).replace('-000.', '-%03d.');
  // Finished segments as listed so far, handed to onDone one at a time (the list is read again
  // on every progress report and once more when ffmpeg has exited).
  let reported = 0;
  let reading = Promise.resolve();
  // A chunk that cannot be taken in (more chunks than planned, a failed rename) stops the encode.
  let failure: unknown;
  const stop = new AbortController();
  follow(options.signal, stop);
  const collect = () =>
    (reading = reading
      .then(async () => {
        if (failure) return;
        const listed = (await readFile(list, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
        if (listed > spans.length)
          throw new Error(`the chunked encode wrote ${listed} chunks where ${spans.length} were planned (${list})`);
        for (; reported < listed; reported++) await options.onDone(first + reported);
      })
      .catch((err: unknown) => {
        failure ??= err;
        stop.abort();
      }));
  const { onProgress, reelDurationS } = options;
  const rangeS = range.toS - range.fromS;
  let encodeFailure: unknown;
  try {
    await encodeSpan(
      input,
      layersIn(layers, range),
      range,
      undefined,
      pattern,
      encoding,
      {
        signal: stop.signal,
        onProgress: (f) => {
          void collect();
          if (onProgress && reelDurationS) onProgress((range.fromS + f * rangeS) / reelDurationS);
        },
      },
      [
        ...(boundaries.length > 0 ? ['-force_key_frames', boundaries.join(','), '-forced-idr', '1'] : []),
        // With B-frames the encode's first packets are timed before zero; shifted (the default),
        // the first chunk alone would start late and last longer than its span (2 frames).
        // Unshifted, every chunk starts at zero, its edit list taking up the B-frame delay.
        '-avoid_negative_ts',
        'disabled',
        '-f',
        'segment',
        // Without split times the muxer would cut every 2 s (its default segment_time) at the next
        // keyframe: one span is then one segment, whatever keyframes x264 places inside it.
        ...(boundaries.length > 0 ? ['-segment_times', boundaries.join(',')] : ['-segment_time', ONE_SEGMENT_S]),
        '-segment_format',
        'mp4',
        '-segment_start_number',
        String(first),
        '-reset_timestamps',
        '1',
        '-segment_list',
        list,
        '-segment_list_type',
        'flat',
      ],
    );
  } catch (err) {
    encodeFailure = err;
  }
  // What the muxer listed before ffmpeg ended (or was killed) is complete: kept either way.
  await collect();
  if (failure) throw failure;
  if (encodeFailure) throw encodeFailure;
  if (reported !== spans.length)
    throw new Error(`the chunked encode listed ${reported} of ${spans.length} chunks (${list})`);
}

/**
 * One ffmpeg command for the reel's span `span`: the picture, and with `audioPath` the audio
 * copied in (the whole reel); without it video only (a chunk).
 */
async function encodeSpan(
  input: PictureInput,
  layers: Layers,
  span: ReelSpan,
  audioPath: string | undefined,
  output: string,
  encoding: EncodingSettings,
  options: RunOptions,
  /** Output options in place of an MP4 file's (`+faststart`): the segment muxer's, for chunks. */
  muxer: string[] = ['-movflags', '+faststart'],
): Promise<void> {
  const durationS = span.toS - span.fromS;
  const first = Number(sec(input.segments[0]!.startS));
  const command = ffmpeg()
    .input(input.source)
    // An accurate seek (decoded from the keyframe before, frames before the span dropped).
    .inputOptions(['-ss', sec(first + span.fromS), '-t', sec(durationS)]);
  for (const layer of layers.cutaways) command.input(layer.path);
  for (const layer of layers.images) command.input(layer.path).inputOptions(imageInputOptions(layer));
  if (audioPath) command.input(audioPath);
  const audioInput = 1 + layers.cutaways.length + layers.images.length;
  command
    .complexFilter(finalFilter(input, layers, span))
    .outputOptions([
      '-map',
      '[vout]',
      ...(audioPath ? ['-map', `${audioInput}:a:0`, '-c:a', 'copy'] : ['-an']),
      ...videoOutputOptions(encoding),
      '-t',
      sec(durationS),
      ...muxer,
    ])
    .output(output);
  await run(command, { expectedDurationS: durationS, ...options });
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );
}
