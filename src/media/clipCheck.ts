/**
 * cropAndValidate: every generated clip passes through here before it may reach ASSEMBLY. The
 * clip must have a video stream,
 * the expected resolution, a duration within 0.5 s of what was asked, and a picture that is not
 * black; then the provider's watermark rows are cropped off the bottom.
 */
import { ffmpeg, probe, run } from './ffmpeg';

export interface ClipExpectation {
  width: number;
  height: number;
  durationS: number;
  cropBottomPx: number;
}

export class InvalidClipError extends Error {
  override name = 'InvalidClipError';
}

/** Share of the clip that may be black before it counts as a black clip. */
const MAX_BLACK_SHARE = 0.5;

/** Seconds of black picture that ffmpeg blackdetect reports in `file`. */
export async function blackSeconds(file: string): Promise<number> {
  const stderr = await run(
    ffmpeg(file)
      .videoFilters('blackdetect=d=0.1:pic_th=0.98:pix_th=0.1')
      .outputOptions(['-an', '-f', 'null'])
      .output('-'),
  );
  let total = 0;
  for (const match of stderr.matchAll(/black_duration:([\d.]+)/g)) total += Number(match[1]);
  return total;
}

export async function cropAndValidate(
  raw: string,
  output: string,
  expected: ClipExpectation,
): Promise<{ durationS: number }> {
  let info;
  try {
    info = await probe(raw);
  } catch (err) {
    throw new InvalidClipError(`not a readable video: ${(err as Error).message}`);
  }
  if (!info.video) throw new InvalidClipError('no video stream');
  if (info.video.width !== expected.width || info.video.height !== expected.height) {
    throw new InvalidClipError(
      `resolution ${info.video.width}x${info.video.height}, expected ${expected.width}x${expected.height}`,
    );
  }
  if (Math.abs(info.durationS - expected.durationS) > 0.5) {
    throw new InvalidClipError(`duration ${info.durationS.toFixed(2)} s, expected ${expected.durationS} s (±0.5)`);
  }
  const black = await blackSeconds(raw);
  if (black > info.durationS * MAX_BLACK_SHARE) {
    throw new InvalidClipError(`black for ${black.toFixed(1)} of ${info.durationS.toFixed(1)} s`);
  }
  // Crop the watermark rows, then scale back to the full frame so every clip keeps the exact
  // aspect ratio (and clips can later be joined by stream copy).
  const keptHeight = expected.height - expected.cropBottomPx;
  await run(
    ffmpeg(raw)
      .videoFilters(`crop=${expected.width}:${keptHeight}:0:0,scale=${expected.width}:${expected.height},setsar=1`)
      .outputOptions([
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '20',
        '-pix_fmt',
        'yuv420p',
        '-an',
        '-movflags',
        '+faststart',
      ])
      .output(output),
  );
  return { durationS: info.durationS };
}

/** Veo's output size for an aspect ratio at 720p (the default resolution). */
export function veoFrameSize(aspectRatio: '9:16' | '16:9'): { width: number; height: number } {
  return aspectRatio === '9:16' ? { width: 720, height: 1280 } : { width: 1280, height: 720 };
}
