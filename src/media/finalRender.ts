/**
 * The reel's one full encode of the picture: one ffmpeg command reads the moment from the source
 * once and, in a single filter graph, frames each layout segment (crops, stacks, the transition at
 * each layout change), joins them, lays the cutaways (user clips and B-roll) and the overlay images
 * over them, and burns the captions and the hook title on top (libass). The moment's audio, encoded
 * once beforehand, is copied in, so it runs on unbroken under every cut and cutaway.
 */
import type { LayoutSegment } from '../domain/reel';
import type { Transition } from '../domain/directives';
import type { CutawayLayer } from './cutaways';
import { cutawaySteps } from './cutaways';
import type { EncodingSettings, FrameSize } from './encoding';
import { videoOutputOptions } from './encoding';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';
import type { ImageLayer } from './imageOverlay';
import { imageInputOptions, imageSteps } from './imageOverlay';
import { crossfadeFilter, reframeFilter, relabel, TRANSITION_S } from './reframe';

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

/**
 * The graph from input 0 (the source, seeked to the first segment's start) to `[base]`: each
 * segment trimmed out of the one decode, framed with its strategy and its transition, then joined.
 */
export function framedSegmentsFilter(input: PictureInput): string {
  const { segments, transition, frame } = input;
  const first = segments[0]!.startS;
  const last = segments.length - 1;
  const steps: string[] = [
    segments.length === 1
      ? '[0:v]null[s0in]'
      : `[0:v]split=${segments.length}${segments.map((_, i) => `[s${i}in]`).join('')}`,
  ];
  for (const [i, segment] of segments.entries()) {
    const from = (segment.startS - first).toFixed(3);
    const to = (segment.endS - first).toFixed(3);
    const durationS = segment.endS - segment.startS;
    steps.push(`[s${i}in]trim=start=${from}:end=${to},setpts=PTS-STARTPTS[s${i}src]`);
    const graph =
      transition === 'fade' && i > 0
        ? crossfadeFilter(segments[i - 1]!, segment, input.sourceWidth, input.sourceHeight, frame)
        : reframeFilter(segment, input.sourceWidth, input.sourceHeight, frame);
    // A dip to black at each layout change: out at a segment's end, in at the next one's start.
    const fades = [
      transition === 'dip_to_black' && i > 0 ? `fade=t=in:st=0:d=${TRANSITION_S}` : '',
      transition === 'dip_to_black' && i < last
        ? `fade=t=out:st=${(durationS - TRANSITION_S).toFixed(3)}:d=${TRANSITION_S}`
        : '',
    ].filter(Boolean);
    const faded = fades.length > 0 ? graph.replace(/\[v\]$/, `[framed];[framed]${fades.join(',')}[v]`) : graph;
    steps.push(relabel(faded, `s${i}src`, `s${i}out`, `s${i}_`));
  }
  steps.push(
    segments.length === 1
      ? '[s0out]null[base]'
      : `${segments.map((_, i) => `[s${i}out]`).join('')}concat=n=${segments.length}:v=1:a=0[base]`,
  );
  return steps.join(';');
}

/**
 * A file path as a filter option value inside a filter graph: escaped once for the filter's option
 * parser (\ ' :) and once more for the graph parser (\ ' [ ] , ;).
 */
export function filterPath(file: string): string {
  const option = file.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

/** The whole graph: framed segments, then cutaways (inputs 1…), images, captions; output [vout]. */
export function finalFilter(input: PictureInput, layers: Layers): string {
  const steps = [framedSegmentsFilter(input)];
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
  // Captions and the hook are the top layer: visible over cutaways and under nothing.
  const captions = layers.assPath ? `ass=filename=${filterPath(layers.assPath)},` : '';
  steps.push(`[${under}]${captions}format=yuv420p[vout]`);
  return steps.join(';');
}

/**
 * Renders the reel: picture from `input` with `layers`, audio copied from `audioPath` (already
 * as long as the picture). Writes `output` only; the caller renames it into place.
 */
export async function renderReel(
  input: PictureInput,
  layers: Layers,
  audioPath: string,
  output: string,
  encoding: EncodingSettings,
  options: RunOptions = {},
): Promise<void> {
  const durationS = pictureDurationS(input.segments);
  const command = ffmpeg()
    .input(input.source)
    .inputOptions(['-ss', input.segments[0]!.startS.toFixed(3), '-t', durationS.toFixed(3)]);
  for (const layer of layers.cutaways) command.input(layer.path);
  for (const layer of layers.images) command.input(layer.path).inputOptions(imageInputOptions(layer));
  command.input(audioPath);
  const audioInput = 1 + layers.cutaways.length + layers.images.length;
  command
    .complexFilter(finalFilter(input, layers))
    .outputOptions([
      '-map',
      '[vout]',
      '-map',
      `${audioInput}:a:0`,
      ...videoOutputOptions(encoding),
      '-c:a',
      'copy',
      '-t',
      durationS.toFixed(3),
      '-movflags',
      '+faststart',
    ])
    .output(output);
  await run(command, { expectedDurationS: durationS, ...options });
}
