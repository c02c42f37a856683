/**
 * Pass 2 of ASSEMBLY: cutaways (user clips and B-roll) and then overlay images over the base reel,
 * in one re-encode of the picture. The audio stream is copied, so it stays byte for byte the base
 * reel's.
 */
import type { CutawayLayer } from './cutaways';
import { cutawaySteps } from './cutaways';
import type { EncodingSettings } from './encoding';
import { videoOutputOptions } from './encoding';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';
import type { ImageLayer } from './imageOverlay';
import { imageInputOptions, imageSteps } from './imageOverlay';

export interface CompositeLayers {
  /** Must not overlap in time (the plan sees to it). */
  cutaways: CutawayLayer[];
  /** May overlap; later ones are drawn on top. */
  images: ImageLayer[];
}

/** The whole graph: input 0 is the base reel, then the cutaways, then the images; output [vout]. */
export function compositeFilter(layers: CompositeLayers): string {
  const steps: string[] = [];
  let under = '0:v';
  let input = 1;
  for (const layer of layers.cutaways) {
    steps.push(...cutawaySteps(input, layer, under, `v${input}`));
    under = `v${input++}`;
  }
  for (const layer of layers.images) {
    steps.push(...imageSteps(input, layer, under, `v${input}`));
    under = `v${input++}`;
  }
  steps.push(`[${under}]format=yuv420p[vout]`);
  return steps.join(';');
}

export async function compositeReel(
  base: string,
  layers: CompositeLayers,
  output: string,
  encoding: EncodingSettings,
  expectedDurationS: number,
  options: RunOptions = {},
): Promise<void> {
  if (layers.cutaways.length + layers.images.length === 0) throw new Error('compositeReel needs at least one layer');
  const command = ffmpeg().input(base);
  for (const layer of layers.cutaways) command.input(layer.path);
  for (const layer of layers.images) command.input(layer.path).inputOptions(imageInputOptions(layer));
  command
    .complexFilter(compositeFilter(layers))
    .outputOptions([
      '-map',
      '[vout]',
      '-map',
      '0:a:0',
      ...videoOutputOptions(encoding),
      '-c:a',
      'copy',
      '-movflags',
      '+faststart',
    ])
    .output(output);
  await run(command, { expectedDurationS, ...options });
}
