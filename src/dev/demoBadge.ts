/**
 * The demo's overlay image: a small labelled badge ("reelflow demo") in the top-left corner of an
 * otherwise transparent canvas. The pipeline fits every overlay image into overlayBox (the reel's
 * upper third, centred), so a bare badge would be blown up across the top speaker's head; a canvas
 * of the box's own size keeps the badge at its drawn size, in the corner above the heads of the
 * stacked layout the demo's two-person sample gets, and far from the captions on the seam.
 */
import path from 'node:path';
import { overlayBox } from '../media/imageOverlay';
import { ffmpeg, run } from '../media/ffmpeg';

/** Where the badge sits on the canvas (= in the overlay box, whose top-left is the frame's top, 10% in). */
export const BADGE_RECT = { x: 24, y: 40, width: 300, height: 84 };
const RED = '0xe63946';

/** Writes `badge.png` into `dir` (every time: an older demo left a plain red bar under this name). */
export async function demoBadge(dir: string, font: string): Promise<string> {
  const file = path.join(dir, 'badge.png');
  const canvas = overlayBox();
  const { x, y, width, height } = BADGE_RECT;
  const label = (text: string, size: number, dy: number) =>
    `drawtext=font='${font}':text='${text}':fontsize=${size}:fontcolor=white:` + `x=${x}+(${width}-tw)/2:y=${y + dy}`;
  await run(
    ffmpeg()
      .input(`color=c=black@0:s=${canvas.width}x${canvas.height},format=yuva444p`)
      .inputOptions(['-f', 'lavfi'])
      .videoFilters(
        [
          `drawbox=x=${x}:y=${y}:w=${width}:h=${height}:color=${RED}:t=fill:replace=1`,
          `drawbox=x=${x + 4}:y=${y + 4}:w=${width - 8}:h=${height - 8}:color=white:t=3:replace=1`,
          label('reelflow', 40, 10),
          label('DEMO', 20, 56),
        ].join(','),
      )
      .frames(1)
      .outputOptions(['-pix_fmt', 'rgba'])
      .output(file),
  );
  return file;
}
