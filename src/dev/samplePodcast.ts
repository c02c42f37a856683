/**
 * Generates a sample podcast source: a two-person side-by-side video with speech whose lines match
 * a generated .srt sidecar. Speech comes from espeak-ng when it is installed; otherwise each line
 * is a tone of the same length (the transcript stays valid, the audio is just not words).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Cue } from '../domain/reel';
import { formatSrt } from '../domain/subtitles';
import { videoOutputOptions } from '../media/encoding';
import { ffmpeg, run } from '../media/ffmpeg';
import { PODCAST_LINES } from './podcastScript';
import { hasCommand } from './systemTools';

const exec = promisify(execFile);
const SAMPLE_RATE = 22050;
const GAP_S = 0.45;
const VOICES = { A: 'en-us+m3', B: 'en-us+f2' } as const;
const TONES = { A: 220, B: 330 } as const;

export interface SamplePodcastOptions {
  dir: string;
  durationS?: number;
  width?: number;
  height?: number;
  /** Speak lines with espeak-ng (default: when installed). */
  speech?: boolean;
  /** x264 preset for the sample (it is a throwaway source). */
  preset?: string;
  /** Frames a second (default 25); a long test source at a few frames a second decodes cheaply. */
  fps?: number;
}

export interface SamplePodcast {
  video: string;
  srt: string;
  durationS: number;
  speech: boolean;
  cues: Cue[];
}

/** 16-bit mono PCM samples from a WAV file (the `data` chunk). */
export function wavSamples(wav: Buffer): Int16Array {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'data') {
      const end = Math.min(wav.length, offset + 8 + size);
      const copy = Buffer.from(wav.subarray(offset + 8, end));
      return new Int16Array(copy.buffer, copy.byteOffset, Math.floor(copy.length / 2));
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}

export function wavFile(samples: Int16Array, rate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.length * 2)]);
}

function tone(frequency: number, seconds: number): Int16Array {
  const out = new Int16Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < out.length; i++) {
    // Syllable-like pulses so the tone has loudness variation, like speech.
    const envelope = 0.5 + 0.5 * Math.sin((2 * Math.PI * 4 * i) / SAMPLE_RATE);
    out[i] = Math.round(9000 * envelope * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE));
  }
  return out;
}

async function speak(text: string, voice: string, tmpWav: string): Promise<Int16Array> {
  await exec('espeak-ng', ['-v', voice, '-s', '160', '-w', tmpWav, text]);
  return wavSamples(await readFile(tmpWav));
}

/** Who speaks when, as an ffmpeg `enable` expression over time t. */
function speakingExpression(cues: (Cue & { speaker: 'A' | 'B' })[], speaker: 'A' | 'B'): string {
  const spans = cues
    .filter((cue) => cue.speaker === speaker)
    .map((cue) => `between(t,${cue.startS.toFixed(2)},${cue.endS.toFixed(2)})`);
  return spans.length ? spans.join('+') : '0';
}

export async function generateSamplePodcast(options: SamplePodcastOptions): Promise<SamplePodcast> {
  const durationS = options.durationS ?? 180;
  const width = options.width ?? 1920;
  const height = options.height ?? 1080;
  const speech = options.speech ?? (await hasCommand('espeak-ng', ['--version']));
  await mkdir(options.dir, { recursive: true });
  const video = path.join(options.dir, 'podcast.mp4');
  const srt = path.join(options.dir, 'podcast.srt');
  const wavPath = path.join(options.dir, 'podcast.wav');
  const tmpWav = path.join(options.dir, 'line.tmp.wav');

  // Lay the lines end to end (looping the script when the sample is long) until the duration is filled.
  const pieces: Int16Array[] = [];
  const cues: (Cue & { speaker: 'A' | 'B' })[] = [];
  let t = 0.5;
  pieces.push(new Int16Array(Math.round(t * SAMPLE_RATE)));
  for (let i = 0; ; i++) {
    const line = PODCAST_LINES[i % PODCAST_LINES.length];
    if (!line) break;
    const samples = speech
      ? await speak(line.text, VOICES[line.speaker], tmpWav)
      : tone(TONES[line.speaker], line.text.split(' ').length * 0.3);
    const lengthS = samples.length / SAMPLE_RATE;
    if (t + lengthS > durationS - 0.5) break;
    cues.push({ startS: round(t), endS: round(t + lengthS), text: line.text, speaker: line.speaker });
    pieces.push(samples, new Int16Array(Math.round(GAP_S * SAMPLE_RATE)));
    t += lengthS + GAP_S;
  }
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const audio = new Int16Array(Math.round(durationS * SAMPLE_RATE));
  let offset = 0;
  for (const piece of pieces) {
    audio.set(piece.subarray(0, Math.max(0, Math.min(piece.length, audio.length - offset))), offset);
    offset += piece.length;
    if (offset >= audio.length || offset >= total) break;
  }
  await writeFile(wavPath, wavFile(audio, SAMPLE_RATE));
  await rm(tmpWav, { force: true });

  // Two people side by side: each half a different "studio" with a head and shoulders, and a bar
  // over the head of whoever is speaking (kept inside what the vertical crop shows).
  const fps = options.fps ?? 25;
  const half = Math.floor(width / 2);
  const s = height / 1080;
  const px = (n: number) => Math.round(n * s);
  const person = (x0: number, colour: string) =>
    `drawbox=x=${x0 + half / 2 - px(110)}:y=${px(260)}:w=${px(220)}:h=${px(260)}:color=${colour}:t=fill,` +
    `drawbox=x=${x0 + half / 2 - px(230)}:y=${px(560)}:w=${px(460)}:h=${px(520)}:color=${colour}@0.85:t=fill`;
  const filter = [
    `color=c=0x1d3557:s=${half}x${height}:d=${durationS}:r=${fps}[left]`,
    `color=c=0x6b2737:s=${width - half}x${height}:d=${durationS}:r=${fps}[right]`,
    `[left][right]hstack=inputs=2,` +
      `${person(0, '0xf1c27d')},${person(half, '0xc68642')},` +
      `drawbox=x=${Math.round(half / 2 - px(160))}:y=${px(200)}:w=${px(320)}:h=${px(24)}:color=0xffd166:t=fill:enable='${speakingExpression(cues, 'A')}',` +
      `drawbox=x=${Math.round(half + half / 2 - px(160))}:y=${px(200)}:w=${px(320)}:h=${px(24)}:color=0xffd166:t=fill:enable='${speakingExpression(cues, 'B')}'[v]`,
  ].join(';');
  const command = ffmpeg()
    .input(wavPath)
    .complexFilter(filter)
    .outputOptions([
      '-map',
      '[v]',
      '-map',
      '0:a',
      ...videoOutputOptions({ preset: options.preset ?? 'ultrafast', crf: 28, threads: 0 }, fps),
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-t',
      String(durationS),
      '-metadata',
      'title=reelflow sample podcast',
      '-metadata',
      'creation_time=2026-01-15T09:30:00Z',
    ])
    .output(video);
  await run(command);
  await rm(wavPath, { force: true });
  const plainCues = cues.map(({ startS, endS, text }) => ({ startS, endS, text }));
  await writeFile(srt, formatSrt(plainCues));
  return { video, srt, durationS, speech, cues: plainCues };
}

/** True when a sample already exists at `dir` (the demo reuses it instead of rendering again). */
export async function sampleExists(dir: string): Promise<boolean> {
  const sizes = await Promise.all(
    ['podcast.mp4', 'podcast.srt'].map((name) =>
      stat(path.join(dir, name)).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return sizes.every((size) => size > 0);
}

const round = (n: number) => Math.round(n * 1000) / 1000;
