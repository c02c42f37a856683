/**
 * Loudness and pitch of a file's audio, one value per step, for the emotional-peak part of the
 * moment score (src/domain/emotion.ts). ffmpeg decodes the first audio stream to 8 kHz mono 16-bit
 * PCM on stdout and we analyse it as it streams, so an hour of audio never sits in memory.
 *
 * - Loudness: RMS of each step's samples in dBFS, floored at SILENCE_FLOOR_DB.
 * - Pitch: normalised autocorrelation on 40 ms frames every 50 ms, lags covering 70–400 Hz (voice).
 *   A frame is voiced when it is not quiet and its best correlation peak is strong; a step's pitch
 *   is the median of its voiced frames, or null when too few frames are voiced.
 */
import type { AudioFeatures } from '../domain/emotion';
import { SILENCE_FLOOR_DB } from '../domain/emotion';
import { probe } from './ffmpeg';
import { ffmpegBinary, spawnBound } from './processes';

/** 8 kHz keeps the first harmonics of any voice (70–400 Hz) and makes decoding and analysis cheap. */
export const SAMPLE_RATE = 8000;
const MIN_PITCH_HZ = 70;
const MAX_PITCH_HZ = 400;
/** Window compared with its shifted self: 40 ms holds at least 2.8 periods of the lowest pitch. */
const FRAME = Math.round(SAMPLE_RATE * 0.04);
/** A pitch frame every 50 ms: enough frames per step for a median, and half the work of 25 ms hops. */
const HOP = Math.round(SAMPLE_RATE * 0.05);
const MIN_LAG = Math.floor(SAMPLE_RATE / MAX_PITCH_HZ);
const MAX_LAG = Math.ceil(SAMPLE_RATE / MIN_PITCH_HZ);
/** Samples one pitch frame reads: the window plus the longest shift. */
const SPAN = FRAME + MAX_LAG + 1;
/** Frames quieter than this (RMS, dBFS) are pauses or room noise, never voiced. */
const VOICED_MIN_DB = -50;
/** Normalised correlation a frame needs at its period to count as voiced (1 is a perfect repeat). */
const VOICED_CORRELATION = 0.6;
/**
 * Among correlation peaks, the shortest lag within this share of the best one wins: a periodic
 * signal also repeats at 2 and 3 periods, and picking those would report half or a third of the pitch.
 */
const OCTAVE_TOLERANCE = 0.9;
/**
 * Share of a step's frames that must be voiced for the step to have a pitch: a fifth (200 ms of a
 * 1 s step) keeps a stray periodic-looking frame in a pause or fricative from speaking for the step.
 */
const MIN_VOICED_SHARE = 0.2;

export interface AudioFeatureOptions {
  /** Seconds per value (default 1). */
  stepS?: number;
  /** Only this part of the file (default: all of it). */
  window?: { startS: number; durationS: number };
  /** Aborting kills ffmpeg and rejects. */
  signal?: AbortSignal;
  /** Fraction of the file analysed so far, 0..1. */
  onProgress?: (fraction: number) => void;
  /** False: loudness only, every pitch null (LAYOUT_DETECTIVE reads loudness; pitch is most of the CPU). */
  pitch?: boolean;
}

/**
 * Loudness and pitch per step over the whole of the file's first audio stream. A file without an
 * audio stream is not an error: it has no loudness or pitch, so both arrays are empty (and the
 * emotion score of any window is 0). Fails when the file cannot be probed or ffmpeg fails.
 */
export async function measureAudioFeatures(file: string, options: AudioFeatureOptions = {}): Promise<AudioFeatures> {
  const stepS = options.stepS ?? 1;
  if (!(stepS > 0)) throw new Error(`stepS must be a positive number of seconds, got ${stepS}`);
  const info = await probe(file);
  if (!info.audio) return { stepS, loudnessDb: [], pitchHz: [] };
  const analyser = new AudioFeatureAnalyser(stepS, options.pitch ?? true);
  const expectedSamples = (options.window?.durationS ?? info.durationS) * SAMPLE_RATE;
  await decodePcm(file, options.window, options.signal, (samples) => {
    analyser.push(samples);
    if (options.onProgress && expectedSamples > 0) {
      options.onProgress(Math.min(1, analyser.samplesSeen / expectedSamples));
    }
  });
  return analyser.finish();
}

/** Streams the first audio stream as 8 kHz mono s16le through `onSamples`, in order. */
function decodePcm(
  file: string,
  window: AudioFeatureOptions['window'],
  signal: AbortSignal | undefined,
  onSamples: (samples: Int16Array) => void,
) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Error(`measuring the audio of ${file} was cancelled`));
    // Same lookup as fluent-ffmpeg, so FFMPEG_PATH works here too; bound to die with the worker.
    const child = spawnBound(ffmpegBinary(), [
      '-nostdin',
      '-v',
      'error',
      ...(window ? ['-ss', window.startS.toFixed(3), '-t', window.durationS.toFixed(3)] : []),
      '-i',
      file,
      '-map',
      '0:a:0',
      '-vn',
      '-ac',
      '1',
      '-ar',
      String(SAMPLE_RATE),
      '-f',
      's16le',
      '-acodec',
      'pcm_s16le',
      'pipe:1',
    ]);
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    // A chunk may end in the middle of a sample: keep the odd byte for the next one.
    let carry: Buffer | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
      const whole = bytes.length & ~1;
      carry = whole < bytes.length ? bytes.subarray(whole) : undefined;
      const samples = new Int16Array(whole / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      onSamples(samples);
    });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new Error(`could not start ffmpeg to measure the audio of ${file}: ${err.message}`));
    });
    // 'close' comes after stdout has delivered everything.
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (cancelled) return reject(new Error(`measuring the audio of ${file} was cancelled`));
      if (code === 0) return resolve();
      const why = killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`;
      reject(
        new Error(
          `ffmpeg ${why} while measuring the audio of ${file}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      );
    });
  });
}

/**
 * The analysis itself, fed 8 kHz mono samples in order. Separate from decoding so the numbers can
 * be checked on synthetic samples; memory stays at one step's pitches and one frame span of audio.
 */
export class AudioFeatureAnalyser {
  private readonly stepSamples: number;
  private readonly loudnessDb: number[] = [];
  private readonly pitchHz: (number | null)[] = [];
  /** Running state of the step being filled. */
  private stepSquares = 0;
  private stepFilled = 0;
  /** Pitch frames seen and voiced pitches found, per step still open (keyed by step index). */
  private readonly framePitches = new Map<number, { frames: number; voiced: number[] }>();
  /** Audio not yet fully used by pitch frames; `buffer[0]` is sample number `bufferStart`. */
  private buffer = new Float64Array(SPAN * 4);
  private bufferLength = 0;
  private bufferStart = 0;
  /** Sample number where the next pitch frame starts. */
  private nextFrame = 0;
  private readonly correlation = new Float64Array(MAX_LAG + 2);
  private readonly frame = new Float64Array(SPAN);
  samplesSeen = 0;

  constructor(
    private readonly stepS: number,
    private readonly withPitch = true,
  ) {
    this.stepSamples = Math.max(1, Math.round(stepS * SAMPLE_RATE));
  }

  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] ?? 0;
      this.stepSquares += x * x;
      if (++this.stepFilled === this.stepSamples) this.closeLoudnessStep();
    }
    this.samplesSeen += samples.length;
    if (!this.withPitch) return;
    this.append(samples);
    this.runPitchFrames();
  }

  finish(): AudioFeatures {
    if (this.stepFilled > 0) this.closeLoudnessStep();
    // Frames that would run past the end are not analysed; close every step that got loudness.
    while (this.pitchHz.length < this.loudnessDb.length) this.closePitchStep(this.pitchHz.length);
    return { stepS: this.stepS, loudnessDb: this.loudnessDb, pitchHz: this.pitchHz };
  }

  private closeLoudnessStep(): void {
    const rms = Math.sqrt(this.stepSquares / this.stepFilled) / 32768;
    this.loudnessDb.push(rms > 0 ? Math.max(SILENCE_FLOOR_DB, 20 * Math.log10(rms)) : SILENCE_FLOOR_DB);
    this.stepSquares = 0;
    this.stepFilled = 0;
  }

  private append(samples: Int16Array): void {
    const needed = this.bufferLength + samples.length;
    if (needed > this.buffer.length) {
      const grown = new Float64Array(Math.max(needed, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    for (let i = 0; i < samples.length; i++) this.buffer[this.bufferLength + i] = (samples[i] ?? 0) / 32768;
    this.bufferLength = needed;
  }

  private runPitchFrames(): void {
    while (this.nextFrame + SPAN <= this.bufferStart + this.bufferLength) {
      const offset = this.nextFrame - this.bufferStart;
      const step = Math.floor((this.nextFrame + FRAME / 2) / this.stepSamples);
      // Steps before this one get no more frames.
      while (this.pitchHz.length < step) this.closePitchStep(this.pitchHz.length);
      let entry = this.framePitches.get(step);
      if (!entry) this.framePitches.set(step, (entry = { frames: 0, voiced: [] }));
      entry.frames++;
      const hz = this.framePitch(offset);
      if (hz !== null) entry.voiced.push(hz);
      this.nextFrame += HOP;
    }
    // Drop audio no future frame reads.
    const keepFrom = this.nextFrame - this.bufferStart;
    if (keepFrom > 0) {
      const drop = Math.min(keepFrom, this.bufferLength);
      this.buffer.copyWithin(0, drop, this.bufferLength);
      this.bufferLength -= drop;
      this.bufferStart += drop;
    }
  }

  private closePitchStep(step: number): void {
    const entry = this.framePitches.get(step);
    this.framePitches.delete(step);
    if (!entry || entry.voiced.length === 0 || entry.voiced.length < entry.frames * MIN_VOICED_SHARE) {
      this.pitchHz.push(null);
      return;
    }
    // With an even count, the lower middle value: an observed pitch rather than the average of
    // two, which would be neither when one of them is a harmonic picked up by mistake.
    const sorted = entry.voiced.sort((a, b) => a - b);
    const median = sorted[(sorted.length - 1) >> 1] ?? 0;
    this.pitchHz.push(Math.round(median * 10) / 10);
  }

  /** Pitch of the frame at `offset` in the buffer in Hz, or null when it is quiet or not periodic. */
  private framePitch(offset: number): number | null {
    // The frame without its DC offset, which would otherwise pass for correlation.
    const x = this.frame;
    let mean = 0;
    for (let j = 0; j < SPAN; j++) mean += this.buffer[offset + j] ?? 0;
    mean /= SPAN;
    for (let j = 0; j < SPAN; j++) x[j] = (this.buffer[offset + j] ?? 0) - mean;
    let energy = 0;
    for (let j = 0; j < FRAME; j++) energy += (x[j] ?? 0) ** 2;
    if (energy <= 0 || 10 * Math.log10(energy / FRAME) < VOICED_MIN_DB) return null;

    // Energy of the shifted window, kept up to date as the lag grows.
    let shifted = 0;
    for (let j = MIN_LAG - 1; j < MIN_LAG - 1 + FRAME; j++) shifted += (x[j] ?? 0) ** 2;
    const r = this.correlation;
    let best = 0;
    for (let lag = MIN_LAG - 1; lag <= MAX_LAG + 1; lag++) {
      if (lag > MIN_LAG - 1) shifted += (x[lag + FRAME - 1] ?? 0) ** 2 - (x[lag - 1] ?? 0) ** 2;
      let dot = 0;
      for (let j = 0; j < FRAME; j++) dot += (x[j] ?? 0) * (x[j + lag] ?? 0);
      const value = shifted > 0 ? dot / Math.sqrt(energy * shifted) : 0;
      r[lag] = value;
      if (lag >= MIN_LAG && lag <= MAX_LAG && value > best) best = value;
    }
    if (best < VOICED_CORRELATION) return null;
    // The shortest lag that is a local peak close to the best one: the fundamental period.
    for (let lag = MIN_LAG; lag <= MAX_LAG; lag++) {
      const here = r[lag] ?? 0;
      const before = r[lag - 1] ?? 0;
      const after = r[lag + 1] ?? 0;
      if (here < OCTAVE_TOLERANCE * best || here < before || here < after) continue;
      // A parabola through the peak and its neighbours places the period between samples.
      const curve = before - 2 * here + after;
      const shift = curve < 0 ? (0.5 * (before - after)) / curve : 0;
      return SAMPLE_RATE / (lag + Math.max(-0.5, Math.min(0.5, shift)));
    }
    return null;
  }
}
