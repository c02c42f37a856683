/**
 * The offline image model: a real still rendered with ffmpeg from the prompt. Colours, composition
 * and a caption come from the prompt, so different prompts give visibly different frames and the
 * same prompt always gives the same frame.
 */
import { recordUsage } from '../usage';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ffmpeg, run } from '../../media/ffmpeg';
import type { ImageModel } from './types';

export const OFFLINE_IMAGE_NAME = 'reelflow-offline-images';
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** ffmpeg drawtext escaping for a caption. */
const caption = (text: string) => text.replace(/[\\':%,;[\]]/g, ' ').slice(0, 40);

export async function renderPromptImage(input: {
  prompt: string;
  width: number;
  height: number;
  output: string;
}): Promise<void> {
  const { width: w, height: h } = input;
  const hash = createHash('sha256').update(input.prompt).digest();
  const colour = (i: number) => `0x${hash.subarray(i, i + 3).toString('hex')}`;
  const frac = (i: number) => (hash[i] ?? 0) / 255;
  // Two gradient stops, a block placed by the prompt, and the prompt's words as a caption.
  const block = {
    x: Math.round(frac(9) * w * 0.6),
    y: Math.round(frac(10) * h * 0.6),
    s: Math.round(Math.min(w, h) * (0.2 + frac(11) * 0.2)),
  };
  const filters = [
    `drawbox=x=${block.x}:y=${block.y}:w=${block.s}:h=${block.s}:color=${colour(12)}:t=fill`,
    `drawbox=x=${Math.round(w * 0.1)}:y=${Math.round(h * 0.82)}:w=${Math.round(w * 0.8)}:h=${Math.round(h * 0.02)}:color=${colour(15)}:t=fill`,
  ];
  if (existsSync(FONT)) {
    filters.push(
      `drawtext=fontfile=${FONT}:text='${caption(input.prompt)}':fontcolor=white:fontsize=${Math.round(Math.min(h / 28, w / 26))}:x=(w-text_w)/2:y=h*0.88`,
    );
  }
  await run(
    ffmpeg()
      .input(`gradients=s=${w}x${h}:c0=${colour(0)}:c1=${colour(3)}:x0=0:y0=0:x1=${w}:y1=${h}:d=1`)
      .inputOptions(['-f', 'lavfi'])
      .videoFilters(filters.join(','))
      .outputOptions(['-frames:v', '1', '-update', '1'])
      .output(input.output),
  );
}

/** `calls` lets tests see whether a frame was generated again. */
export class OfflineImageModel implements ImageModel {
  readonly name = OFFLINE_IMAGE_NAME;
  calls = 0;

  async generate(input: { prompt: string; width: number; height: number; output: string }): Promise<void> {
    this.calls += 1;
    await renderPromptImage(input);
    // Metered like a paid image (it costs 0 unless a price table says otherwise).
    recordUsage({ kind: 'image', model: OFFLINE_IMAGE_NAME, inputTokens: 0, outputTokens: 0, images: 1 });
  }
}
