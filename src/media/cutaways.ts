/**
 * Documentary cutaways: B-roll video laid over the base reel at given times, upscaled to fill
 * 1080x1920, with short fades, while the reel's own audio runs on underneath.
 */
import type { Placement } from '../domain/cutaways';
import type { EncodingSettings } from './encoding';
import { REEL_HEIGHT, REEL_WIDTH, videoOutputOptions } from './encoding';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';

const FADE_S = 0.3;

export function cutawayFilter(placements: Placement[]): string {
  const parts: string[] = [];
  let last = '0:v';
  placements.forEach((p, i) => {
    const input = i + 1;
    const fadeOut = Math.max(0, p.durationS - FADE_S).toFixed(3);
    parts.push(
      `[${input}:v]trim=duration=${p.durationS.toFixed(3)},` +
        `scale=${REEL_WIDTH}:${REEL_HEIGHT}:force_original_aspect_ratio=increase,crop=${REEL_WIDTH}:${REEL_HEIGHT},setsar=1,` +
        `format=yuva420p,fade=t=in:st=0:d=${FADE_S}:alpha=1,fade=t=out:st=${fadeOut}:d=${FADE_S}:alpha=1,` +
        `setpts=PTS-STARTPTS+${p.startS.toFixed(3)}/TB[c${input}]`,
    );
    const out = i === placements.length - 1 ? 'v' : `v${input}`;
    parts.push(
      `[${last}][c${input}]overlay=eof_action=pass:enable='between(t,${p.startS.toFixed(3)},${(p.startS + p.durationS).toFixed(3)})'[${out}]`,
    );
    last = out;
  });
  return parts.join(';');
}

export async function overlayCutaways(
  base: string,
  placements: Placement[],
  output: string,
  encoding: EncodingSettings,
  expectedDurationS: number,
  options: RunOptions = {},
): Promise<void> {
  const command = ffmpeg().input(base);
  for (const p of placements) command.input(p.path);
  command
    .complexFilter(`${cutawayFilter(placements)};[v]format=yuv420p[vout]`)
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
