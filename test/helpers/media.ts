/** Generated media for tests: small, quick to render, real files. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { generateSamplePodcast } from '../../src/dev/samplePodcast';
import { ffmpeg, run } from '../../src/media/ffmpeg';

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `reelflow-${prefix}-`));
}

/** A 100 s side-by-side podcast at 640x360 with tone "speech" and a matching .srt sidecar. */
export function smallPodcast(dir: string, durationS = 100): Promise<SamplePodcast> {
  return generateSamplePodcast({ dir, durationS, width: 640, height: 360, speech: false });
}

/** A single-shot video (one continuous picture, no split) with a tone, for the speaker-focus layout. */
export async function singleShotVideo(file: string, durationS: number): Promise<string> {
  await run(
    ffmpeg()
      .input(`gradients=s=640x360:r=25:d=${durationS}`)
      .inputOptions(['-f', 'lavfi'])
      .input(`sine=f=440:d=${durationS}`)
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'])
      .output(file),
  );
  return file;
}

/** Frame-level silence intervals of a file, from ffmpeg silencedetect. */
export async function silences(file: string, noiseDb = -50, minS = 0.5): Promise<number> {
  const stderr = await run(
    ffmpeg(file).audioFilters(`silencedetect=n=${noiseDb}dB:d=${minS}`).outputOptions(['-f', 'null']).output('-'),
  );
  return (stderr.match(/silence_start/g) ?? []).length;
}
