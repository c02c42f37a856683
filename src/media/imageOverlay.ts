/**
 * Overlay images (a logo, a title card, a chart) composited over the reel for a while: fitted
 * into a box 80% of the reel's width in its upper third, aspect kept, with a short alpha fade.
 */
import type { FrameSize } from './encoding';
import { REEL_FPS, REEL_FRAME } from './encoding';

export const OVERLAY_FADE_S = 0.3;
/** The box an image is fitted into: 80% of the width, the upper third of the height. */
export function overlayBox(frame: FrameSize = REEL_FRAME): { width: number; height: number } {
  return { width: Math.round(frame.width * 0.8), height: Math.round(frame.height / 3) };
}

export interface ImageLayer {
  path: string;
  /** Seconds from the start of the reel. */
  startS: number;
  durationS: number;
}

/** Input options that make a still image a stream of `durationS` seconds of frames. */
export function imageInputOptions(layer: ImageLayer): string[] {
  return ['-loop', '1', '-framerate', String(REEL_FPS), '-t', layer.durationS.toFixed(3)];
}

/**
 * Filter-graph steps that lay input `input` (a looped image) over `[under]`, output `[out]`.
 * The image is fitted into overlayBox (scaled up or down, never past the box, so never past the
 * frame) and centred in the upper third; its own transparency is kept.
 */
export function imageSteps(
  input: number,
  layer: ImageLayer,
  under: string,
  out: string,
  frame: FrameSize = REEL_FRAME,
): string[] {
  const box = overlayBox(frame);
  const fadeS = Math.min(OVERLAY_FADE_S, layer.durationS / 3);
  const end = layer.startS + layer.durationS;
  return [
    `[${input}:v]scale=${box.width}:${box.height}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1,` +
      `format=yuva420p,fade=t=in:st=0:d=${fadeS.toFixed(3)}:alpha=1,` +
      `fade=t=out:st=${(layer.durationS - fadeS).toFixed(3)}:d=${fadeS.toFixed(3)}:alpha=1,` +
      `setpts=PTS-STARTPTS+${layer.startS.toFixed(3)}/TB[i${input}]`,
    `[${under}][i${input}]overlay=x=(W-w)/2:y=(${box.height}-h)/2:eof_action=pass:` +
      `enable='between(t,${layer.startS.toFixed(3)},${end.toFixed(3)})'[${out}]`,
  ];
}
