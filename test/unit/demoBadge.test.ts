/** The demo's overlay badge, drawn by the real ffmpeg: small, labelled, and where the pipeline puts it clear of faces and captions. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BADGE_RECT, demoBadge } from '../../src/dev/demoBadge';
import { captionPlacement } from '../../src/domain/captionsAss';
import { probe } from '../../src/media/ffmpeg';
import { REEL_FRAME } from '../../src/media/encoding';
import { overlayBox } from '../../src/media/imageOverlay';
import { tempDir } from '../helpers/media';

const exec = promisify(execFile);
let badge: string;

beforeAll(async () => {
  badge = await demoBadge(await tempDir('badge'), 'DejaVu Sans');
});

/** The badge's alpha plane, one byte per pixel. */
async function alpha(file: string, width: number, height: number): Promise<Buffer> {
  const { stdout } = await exec(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-vf', 'alphaextract', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { encoding: 'buffer', maxBuffer: width * height * 2 },
  );
  return stdout;
}

describe('demo badge', () => {
  it('is a canvas of the overlay box with one opaque badge in its top-left corner, holding white text', async () => {
    const box = overlayBox();
    const info = await probe(badge);
    // The canvas is the box's size, so the pipeline's fit keeps the badge at its drawn size.
    expect(info.video).toMatchObject(box);
    const plane = await alpha(badge, box.width, box.height);
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < box.height; y++)
      for (let x = 0; x < box.width; x++)
        if (plane[y * box.width + x]! > 128) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
    expect({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }).toEqual(BADGE_RECT);

    // A label is drawn on it: white-ish pixels inside the frame's border (the red fill has none).
    const { stdout: rgb } = await exec(
      'ffmpeg',
      ['-v', 'error', '-i', badge, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
      {
        encoding: 'buffer',
        maxBuffer: box.width * box.height * 4,
      },
    );
    let white = 0;
    for (let y = BADGE_RECT.y + 10; y < BADGE_RECT.y + BADGE_RECT.height - 10; y++)
      for (let x = BADGE_RECT.x + 10; x < BADGE_RECT.x + BADGE_RECT.width - 10; x++) {
        const i = (y * box.width + x) * 3;
        if (rgb[i]! > 200 && rgb[i + 1]! > 200 && rgb[i + 2]! > 200) white++;
      }
    expect(white).toBeGreaterThan(500);
  });

  it('sits in the reel above the hook title and the faces, far from the stacked layout captions', () => {
    // The overlay box is centred at the top of the frame; the badge keeps its canvas position.
    const box = overlayBox();
    const left = (REEL_FRAME.width - box.width) / 2 + BADGE_RECT.x;
    const bottom = BADGE_RECT.y + BADGE_RECT.height;
    // The hook title's box starts 8% down (captionsAss); the heads in the sample start lower still.
    expect(bottom).toBeLessThan(REEL_FRAME.height * 0.08 - 20);
    expect(left + BADGE_RECT.width).toBeLessThan(REEL_FRAME.width / 2);
    // The demo's two people are stacked: their captions are on the seam in the middle.
    expect(captionPlacement('stack_halves', REEL_FRAME).alignment).toBe(5);
  });
});
