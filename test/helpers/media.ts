/** Generated media for tests: small, quick to render, real files. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { SamplePodcast, SamplePodcastOptions } from '../../src/dev/samplePodcast';
import { generateSamplePodcast } from '../../src/dev/samplePodcast';
import { videoOutputOptions } from '../../src/media/encoding';
import { ffmpeg, run } from '../../src/media/ffmpeg';

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `reelflow-${prefix}-`));
}

/** A 100 s side-by-side podcast at 640x360 with tone "speech" and a matching .srt sidecar. */
export function smallPodcast(dir: string, durationS = 100): Promise<SamplePodcast> {
  return sharedSamplePodcast({ dir, durationS, width: 640, height: 360, speech: false });
}

/**
 * generateSamplePodcast, drawn once per test run for each set of options and copied into `dir`: a
 * dozen files ask for the same few samples, and each drawing is seconds of CPU. The copy is the
 * caller's own (tests delete its .srt or write beside it). The first file to ask draws the sample
 * while holding a lock folder; a file asking meanwhile waits for it.
 */
export async function sharedSamplePodcast(options: SamplePodcastOptions): Promise<SamplePodcast> {
  const { dir, ...drawing } = options;
  const key = createHash('sha256').update(JSON.stringify(drawing)).digest('hex').slice(0, 16);
  const cache = inject('sampleCacheDir');
  await mkdir(cache, { recursive: true });
  const cached = path.join(cache, key);
  const manifest = path.join(cached, 'sample.json');
  const lock = `${cached}.lock`;
  const waitUntil = Date.now() + 600_000;
  for (;;) {
    if (existsSync(manifest)) break;
    // Only a file killed while drawing leaves the lock behind.
    if (Date.now() > waitUntil) throw new Error(`a sample podcast was not drawn within 10 minutes (lock ${lock})`);
    const locked = await mkdir(lock).then(
      () => true,
      () => false,
    );
    if (locked) {
      try {
        const sample = await generateSamplePodcast({ ...drawing, dir: cached });
        await writeFile(`${manifest}.tmp`, JSON.stringify(sample));
        await rename(`${manifest}.tmp`, manifest);
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    } else {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const sample = JSON.parse(await readFile(manifest, 'utf8')) as SamplePodcast;
  await mkdir(dir, { recursive: true });
  const copy = (file: string) => {
    const to = path.join(dir, path.basename(file));
    return copyFile(file, to).then(() => to);
  };
  const [video, srt] = await Promise.all([copy(sample.video), copy(sample.srt)]);
  return { ...sample, video, srt };
}

/** A single-shot video (one continuous picture, no split) with a tone, for the speaker-focus layout. */
export async function singleShotVideo(file: string, durationS: number): Promise<string> {
  await run(
    ffmpeg()
      // A fixed seed: random colours and directions could, now and then, look like a split screen.
      .input(`gradients=s=640x360:r=25:d=${durationS}:seed=7`)
      .inputOptions(['-f', 'lavfi'])
      .input(`sine=f=440:d=${durationS}`)
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'])
      .output(file),
  );
  return file;
}

/** How many silences (quieter than -50 dB for 0.5 s or more) ffmpeg silencedetect finds in a file or a window of it. */
export async function silences(file: string, window?: { startS: number; durationS: number }): Promise<number> {
  const command = ffmpeg(file);
  if (window) command.inputOptions(['-ss', String(window.startS), '-t', String(window.durationS)]);
  const stderr = await run(
    command.outputOptions(['-vn', '-af', 'silencedetect=noise=-50dB:d=0.5', '-f', 'null']).output('-'),
  );
  return (stderr.match(/silence_start/g) ?? []).length;
}

export type LayoutKind = 'side_by_side' | 'speaker_focus' | 'grid' | 'screen_share';

/**
 * Picture graphs (640x360, 25 fps) for each camera layout, ending in [label]. Moving things are
 * overlays: ffmpeg 5.1's overlay evaluates `t` per frame (drawbox does not).
 */
function layoutGraph(kind: LayoutKind, d: number, label: string): string {
  const bg = (colour: string, size: string, name: string) => `color=c=${colour}:s=${size}:r=25:d=${d}[${label}${name}]`;
  const mover = (colour: string, size: string, name: string) =>
    `color=c=${colour}:s=${size}:r=25:d=${d}[${label}${name}]`;
  const place = (under: string, over: string, x: string, y: string, out: string) =>
    `[${label}${under}][${label}${over}]overlay=x='${x}':y='${y}':shortest=1[${label}${out}]`;
  switch (kind) {
    case 'side_by_side':
      return [
        bg('0x1d3557', '320x360', 'lbg'),
        mover('0xf1c27d', '90x120', 'lp'),
        place('lbg', 'lp', '115+20*sin(t*2)', '110', 'l'),
        bg('0x6b2737', '320x360', 'rbg'),
        mover('0xc68642', '90x120', 'rp'),
        place('rbg', 'rp', '115+20*cos(t*2)', '110', 'r'),
        `[${label}l][${label}r]hstack=inputs=2[${label}]`,
      ].join(';');
    case 'speaker_focus':
      // One person walking slowly from the left third to the right third of a plain room.
      return [
        bg('0x334455', '640x360', 'bg'),
        mover('0xf1c27d', '90x160', 'p'),
        place('bg', 'p', `60+(t/${d})*400+8*sin(t*6)`, '120', ''),
      ].join(';');
    case 'grid': {
      const colours = ['0x1d3557', '0x6b2737', '0x2a9d8f', '0xe9c46a'];
      const tiles = colours.flatMap((c, i) => [
        bg(c, '320x180', `bg${i}`),
        mover('white', '60x80', `p${i}`),
        place(`bg${i}`, `p${i}`, `130+20*sin(t*2+${i})`, '50', `t${i}`),
      ]);
      return [
        ...tiles,
        `[${label}t0][${label}t1][${label}t2][${label}t3]xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0[${label}]`,
      ].join(';');
    }
    case 'screen_share':
      // A slide full of fine lines (text-like detail), still; the speaker moves in a bottom-right thumbnail.
      return [
        `color=c=white:s=640x360:r=25:d=${d},drawgrid=w=7:h=5:t=1:c=black,drawbox=x=470:y=250:w=160:h=100:color=0x334455:t=fill[${label}bg]`,
        mover('0xf1c27d', '40x60', 'p'),
        place('bg', 'p', '530+25*sin(t*3)', '270', ''),
      ].join(';');
  }
}

/**
 * A video made of `parts` (each a layout for some seconds) with speech-like audio: 2 s of tone,
 * then 1 s of silence, over and over, so silencedetect has silences to count.
 */
export async function layoutVideo(file: string, parts: { kind: LayoutKind; durationS: number }[]): Promise<string> {
  const total = parts.reduce((sum, p) => sum + p.durationS, 0);
  const graphs = parts.map((part, i) => layoutGraph(part.kind, part.durationS, `p${i}`));
  const join = parts.length > 1 ? `;${parts.map((_, i) => `[p${i}]`).join('')}concat=n=${parts.length}:v=1:a=0[v]` : '';
  const filter = `${graphs.join(';')}${join || ';[p0]null[v]'}`;
  await run(
    ffmpeg()
      .input(`aevalsrc='0.4*sin(2*PI*220*t)*gt(mod(t,3),1)':s=48000:d=${total}`)
      .inputOptions(['-f', 'lavfi'])
      .complexFilter(filter)
      .outputOptions([
        '-map',
        '[v]',
        '-map',
        '0:a',
        ...videoOutputOptions({ preset: 'ultrafast', crf: 23, threads: 0 }, 25),
        '-c:a',
        'aac',
        '-t',
        String(total),
      ])
      .output(file),
  );
  return file;
}
