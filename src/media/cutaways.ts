/**
 * Documentary cutaways: video laid over the reel at given times, scaled and cropped to fill the
 * reel's frame, with short fades (or none), while the reel's own audio runs on underneath.
 */
import type { FrameSize } from './encoding';
import { REEL_FRAME } from './encoding';

/** The usual fade in and out of a cutaway. */
export const CUTAWAY_FADE_S = 0.3;

export interface CutawayLayer {
  path: string;
  /** Seconds from the start of the reel. */
  startS: number;
  durationS: number;
  /** 0: a hard cut in and out. */
  fadeS: number;
}

/**
 * Filter-graph steps that lay input `input` (a video file) over `[under]` as a cutaway, output
 * `[out]`. Only the clip's picture is used; the reel's audio is mapped separately.
 */
export function cutawaySteps(
  input: number,
  layer: CutawayLayer,
  under: string,
  out: string,
  frame: FrameSize = REEL_FRAME,
): string[] {
  const { width, height } = frame;
  const fadeS = Math.min(layer.fadeS, layer.durationS / 3);
  const fades =
    fadeS > 0
      ? `,fade=t=in:st=0:d=${fadeS.toFixed(3)}:alpha=1,` +
        `fade=t=out:st=${(layer.durationS - fadeS).toFixed(3)}:d=${fadeS.toFixed(3)}:alpha=1`
      : '';
  const end = layer.startS + layer.durationS;
  return [
    `[${input}:v]trim=duration=${layer.durationS.toFixed(3)},` +
      `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},setsar=1,` +
      `format=yuva420p${fades},setpts=PTS-STARTPTS+${layer.startS.toFixed(3)}/TB[c${input}]`,
    `[${under}][c${input}]overlay=eof_action=pass:enable='between(t,${layer.startS.toFixed(3)},${end.toFixed(3)})'[${out}]`,
  ];
}
