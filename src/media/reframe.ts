/**
 * Cutting a window of a landscape source and reframing it to a vertical 1080x1920 video.
 */
import type { CropStrategy } from '../domain/reel';
import type { EncodingSettings } from './encoding';
import { AUDIO_OUTPUT_OPTIONS, REEL_HEIGHT, REEL_WIDTH, videoOutputOptions } from './encoding';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';

/** An even size of at least 2 px (x264 with yuv420p needs even sides). */
const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);
/** An even offset, which may be 0. */
const evenOffset = (n: number) => Math.max(0, Math.floor(n / 2) * 2);

/** The largest window of aspect `aspect` (w/h) inside a w×h area, as [width, height]. */
export function fitAspect(width: number, height: number, aspect: number): [number, number] {
  return width / height > aspect ? [even(height * aspect), even(height)] : [even(width), even(width / aspect)];
}

/** The filter graph that turns a `width`×`height` frame into 1080x1920 with `strategy`; output label [v]. */
export function reframeFilter(strategy: CropStrategy, width: number, height: number): string {
  if (strategy === 'stack_halves') {
    // Each half becomes a 1080x960 tile; the crop keeps the upper part of the half, where faces are.
    const half = Math.floor(width / 2);
    const [cw, ch] = fitAspect(half, height, REEL_WIDTH / (REEL_HEIGHT / 2));
    const x = evenOffset((half - cw) / 2);
    const y = evenOffset((height - ch) / 3);
    const tile = `scale=${REEL_WIDTH}:${REEL_HEIGHT / 2},setsar=1`;
    return (
      `[0:v]split=2[left][right];` +
      `[left]crop=${cw}:${ch}:${x}:${y},${tile}[top];` +
      `[right]crop=${cw}:${ch}:${half + x}:${y},${tile}[bottom];` +
      `[top][bottom]vstack=inputs=2,format=yuv420p[v]`
    );
  }
  const [cw, ch] = fitAspect(width, height, REEL_WIDTH / REEL_HEIGHT);
  return `[0:v]crop=${cw}:${ch}:${evenOffset((width - cw) / 2)}:${evenOffset((height - ch) / 2)},scale=${REEL_WIDTH}:${REEL_HEIGHT},setsar=1,format=yuv420p[v]`;
}

export interface RenderVerticalInput {
  source: string;
  sourceWidth: number;
  sourceHeight: number;
  /** Whether the source has audio; without it a silent track is added so every segment has one. */
  sourceHasAudio: boolean;
  startS: number;
  durationS: number;
  strategy: CropStrategy;
  output: string;
  encoding: EncodingSettings;
}

export async function renderVertical(input: RenderVerticalInput, options: RunOptions = {}): Promise<void> {
  const command = ffmpeg()
    .input(input.source)
    .inputOptions(['-ss', input.startS.toFixed(3), '-t', input.durationS.toFixed(3)]);
  if (!input.sourceHasAudio) command.input('anullsrc=r=48000:cl=stereo').inputOptions(['-f', 'lavfi']);
  command
    .complexFilter(reframeFilter(input.strategy, input.sourceWidth, input.sourceHeight))
    .outputOptions([
      '-map',
      '[v]',
      '-map',
      input.sourceHasAudio ? '0:a:0' : '1:a:0',
      ...videoOutputOptions(input.encoding),
      ...AUDIO_OUTPUT_OPTIONS,
      '-t',
      input.durationS.toFixed(3),
      '-movflags',
      '+faststart',
    ])
    .output(input.output);
  await run(command, { expectedDurationS: input.durationS, ...options });
}
