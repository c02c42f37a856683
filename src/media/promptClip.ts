/**
 * Renders a stand-in "generated" clip with ffmpeg, for the offline video provider: colours and
 * motion derived from the prompt (so different prompts look different), or a slow push-in on a
 * start image when one is given. A bright stripe along the bottom stands in for the provider's
 * watermark, which cropAndValidate removes.
 */
import { createHash } from 'node:crypto';
import { ffmpeg, run } from './ffmpeg';

export interface PromptClipInput {
  prompt: string;
  durationS: number;
  width: number;
  height: number;
  output: string;
  /** Start from this image (image-to-video). */
  startImage?: string;
  /** Render an all-black clip (a fault the validator must catch). */
  black?: boolean;
  watermarkPx?: number;
}

function palette(prompt: string): [string, string, string] {
  const hash = createHash('sha256').update(prompt).digest();
  const colour = (offset: number) => `0x${hash.subarray(offset, offset + 3).toString('hex')}`;
  return [colour(0), colour(3), colour(6)];
}

export async function renderPromptClip(input: PromptClipInput): Promise<void> {
  const { width: w, height: h, durationS: d } = input;
  const mark = input.watermarkPx ?? 16;
  const [a, b, c] = palette(input.prompt);
  const command = ffmpeg();
  let filter: string;
  if (input.black) {
    command.input(`color=c=black:s=${w}x${h}:r=24:d=${d}`).inputOptions(['-f', 'lavfi']);
    filter = '[0:v]format=yuv420p[v]';
  } else if (input.startImage) {
    command.input(input.startImage).inputOptions(['-loop', '1', '-t', String(d)]);
    // Scale up, then a slow push-in: a Ken Burns move over the still.
    filter =
      `[0:v]scale=${w * 2}:${h * 2}:force_original_aspect_ratio=increase,crop=${w * 2}:${h * 2},` +
      `zoompan=z='min(zoom+0.0015,1.3)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${w}x${h}:fps=24,` +
      `drawbox=x=0:y=ih-${mark}:w=iw:h=${mark}:color=white:t=fill,format=yuv420p[v]`;
  } else {
    // A drifting block over a moving gradient (overlay evaluates `t` per frame; drawbox in ffmpeg 5.1 does not).
    const box = Math.round(Math.min(w, h) / 4);
    command.input(`gradients=s=${w}x${h}:r=24:d=${d}:c0=${a}:c1=${b}:speed=0.02`).inputOptions(['-f', 'lavfi']);
    command.input(`color=c=${c}:s=${box}x${box}:r=24:d=${d}`).inputOptions(['-f', 'lavfi']);
    filter =
      `[0:v][1:v]overlay=x='(W-w)*(0.5+0.4*sin(t*1.3))':y='(H-h)*(0.5+0.4*cos(t*0.9))':shortest=1,` +
      `drawbox=x=0:y=ih-${mark}:w=iw:h=${mark}:color=white:t=fill,format=yuv420p[v]`;
  }
  command
    .complexFilter(filter)
    .outputOptions([
      '-map',
      '[v]',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '26',
      '-t',
      String(d),
      '-an',
      '-movflags',
      '+faststart',
    ])
    .output(input.output);
  await run(command);
}
