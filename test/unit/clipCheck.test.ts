/** cropAndValidate on real clips rendered with ffmpeg. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { blackSeconds, cropAndValidate, InvalidClipError } from '../../src/media/clipCheck';
import { grayFrame, probe } from '../../src/media/ffmpeg';
import { renderPromptClip } from '../../src/media/promptClip';
import { tempDir } from '../helpers/media';

let dir: string;
const expected = { width: 720, height: 1280, durationS: 4, cropBottomPx: 16 };

beforeAll(async () => {
  dir = await tempDir('clips');
});

async function clip(name: string, options: Partial<Parameters<typeof renderPromptClip>[0]> = {}): Promise<string> {
  const output = path.join(dir, `${name}.mp4`);
  await renderPromptClip({ prompt: name, durationS: 4, width: 720, height: 1280, output, ...options });
  return output;
}

describe('cropAndValidate', () => {
  it('crops the watermark rows off a good clip', async () => {
    const raw = await clip('good');
    // The stand-in watermark: a white stripe along the bottom 16 rows.
    const before = await grayFrame(raw, 1, 72, 128);
    expect(before.subarray(127 * 72).every((v) => v > 200)).toBe(true);
    const out = path.join(dir, 'good-cropped.mp4');
    await cropAndValidate(raw, out, expected);
    const info = await probe(out);
    // Cropped, then scaled back: the frame keeps its exact 9:16 size.
    expect(info.video).toMatchObject({ width: 720, height: 1280 });
    const after = await grayFrame(out, 1, 72, 128);
    expect(after.subarray(127 * 72).every((v) => v > 200)).toBe(false);
  });

  it('rejects a black clip', async () => {
    const raw = await clip('black', { black: true });
    expect(await blackSeconds(raw)).toBeGreaterThan(3);
    await expect(cropAndValidate(raw, path.join(dir, 'x.mp4'), expected)).rejects.toThrow(/black for/);
  });

  it('rejects a file that is not a video', async () => {
    const raw = path.join(dir, 'corrupt.mp4');
    await writeFile(raw, Buffer.alloc(2048, 7));
    await expect(cropAndValidate(raw, path.join(dir, 'x.mp4'), expected)).rejects.toBeInstanceOf(InvalidClipError);
  });

  it('rejects the wrong duration and the wrong resolution', async () => {
    const long = await clip('long', { durationS: 6 });
    await expect(cropAndValidate(long, path.join(dir, 'x.mp4'), expected)).rejects.toThrow(
      /duration 6\.\d+ s, expected 4 s/,
    );
    const wide = await clip('wide', { width: 1280, height: 720 });
    await expect(cropAndValidate(wide, path.join(dir, 'x.mp4'), expected)).rejects.toThrow(
      /resolution 1280x720, expected 720x1280/,
    );
  });
});
