import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareEmotion } from '../../src/domain/emotion';
import { AudioFeatureAnalyser, measureAudioFeatures, SAMPLE_RATE } from '../../src/media/audioFeatures';
import { ffmpeg, run } from '../../src/media/ffmpeg';
import { tempDir } from '../helpers/media';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('audio-features');
});

/** Renders an aevalsrc expression (t in seconds) to an audio file; the codec follows the extension. */
async function tone(name: string, expression: string, durationS: number, sampleRate = 48000): Promise<string> {
  const file = path.join(dir, name);
  const codec = name.endsWith('.wav') ? ['-c:a', 'pcm_s16le'] : ['-c:a', 'aac', '-b:a', '128k'];
  await run(
    ffmpeg()
      .input(`aevalsrc='${expression}':s=${sampleRate}:d=${durationS}`)
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(codec)
      .output(file),
  );
  return file;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const within = (value: number | null | undefined, target: number, share: number) =>
  value != null && Math.abs(value - target) <= target * share;

describe('measureAudioFeatures', () => {
  it('measures loudness per second: a second half 20 dB louder reads 20 dB louder', async () => {
    // Amplitude 0.05 then 0.5 (20·log10(10) = 20 dB), through AAC at 48 kHz like a real podcast.
    const file = await tone('louder.m4a', 'if(lt(t,10),0.05,0.5)*sin(2*PI*200*t)', 20);
    const features = await measureAudioFeatures(file);
    expect(features.stepS).toBe(1);
    expect(features.loudnessDb.length).toBeGreaterThanOrEqual(20);
    expect(features.loudnessDb.length).toBeLessThanOrEqual(21);
    // Leave out the steps next to the change and the codec's edges.
    const quiet = features.loudnessDb.slice(1, 9);
    const loud = features.loudnessDb.slice(11, 19);
    expect(Math.abs(mean(loud) - mean(quiet) - 20)).toBeLessThan(2);
    // A sine of amplitude 0.5 has an RMS of 0.354: -9 dBFS.
    for (const db of loud) expect(Math.abs(db - -9)).toBeLessThan(1.5);
    for (const db of quiet) expect(Math.abs(db - -29)).toBeLessThan(1.5);
  });

  it('measures only a window when asked: steps start at the window', async () => {
    const file = await tone('window.m4a', 'if(lt(t,10),0.05,0.5)*sin(2*PI*200*t)', 13);
    const features = await measureAudioFeatures(file, { window: { startS: 8, durationS: 4 } });
    expect(features.loudnessDb).toHaveLength(4);
    // 8–10 s quiet (-29 dBFS), 10–12 s loud (-9 dBFS).
    expect(Math.abs(features.loudnessDb[0]! - -29)).toBeLessThan(1.5);
    expect(Math.abs(features.loudnessDb[3]! - -9)).toBeLessThan(1.5);
  });

  it('finds the pitch of a 200 Hz tone and none in silence or noise', async () => {
    // 5 s of 200 Hz, 3 s of digital silence, 3 s of loud white noise.
    const file = await tone('pitch.wav', 'if(lt(t,5),0.3*sin(2*PI*200*t),if(lt(t,8),0,0.3*(2*random(0)-1)))', 11);
    const features = await measureAudioFeatures(file);
    expect(features.pitchHz).toHaveLength(11);
    for (const hz of features.pitchHz.slice(0, 5)) expect(within(hz, 200, 0.05), `pitch ${hz}`).toBe(true);
    expect(features.pitchHz.slice(5, 8)).toEqual([null, null, null]);
    // Digital silence reads -90 dBFS; the resampler's ringing at the edges leaves a trace next to sound.
    expect(features.loudnessDb[6]).toBe(-90);
    for (const db of features.loudnessDb.slice(5, 8)) expect(db).toBeLessThan(-80);
    // Noise is loud but has no period.
    expect(features.pitchHz.slice(8)).toEqual([null, null, null]);
    // (Uniform noise at 0.3 is -15 dBFS; the 8 kHz decode keeps the sixth of it below 4 kHz.)
    expect(Math.min(...features.loudnessDb.slice(8))).toBeGreaterThan(-30);
  });

  it('reads a voice-like 120 Hz tone with a strong second harmonic as 120 Hz, not an octave off', async () => {
    const file = await tone(
      'harmonics.wav',
      '0.15*sin(2*PI*120*t)+0.25*sin(2*PI*240*t)+0.1*sin(2*PI*360*t)+0.05*sin(2*PI*480*t)',
      4,
    );
    const features = await measureAudioFeatures(file);
    for (const hz of features.pitchHz) expect(within(hz, 120, 0.05), `pitch ${hz}`).toBe(true);
  });

  it('scores a pitch that jumps 150↔300 Hz every second above a steady 200 Hz', async () => {
    const jumping = await tone('jumping.m4a', '0.3*sin(2*PI*if(mod(floor(t),2),300,150)*t)', 20);
    const steady = await tone('steady.m4a', '0.3*sin(2*PI*200*t)', 20);
    const jumpingFeatures = await measureAudioFeatures(jumping);
    expect(jumpingFeatures.pitchHz.slice(0, 4).map((hz) => Math.round((hz ?? 0) / 10) * 10)).toEqual([
      150, 300, 150, 300,
    ]);
    const jumpingScore = prepareEmotion(jumpingFeatures)(0, 20);
    const steadyScore = prepareEmotion(await measureAudioFeatures(steady))(0, 20);
    expect(steadyScore.pitch).toBeLessThan(0.05);
    expect(jumpingScore.pitch).toBeGreaterThan(0.9);
  });

  it('counts loud bursts as peaks, and a flat delivery as none', async () => {
    // Talking level with a shout (+14 dB) for a second at 4, 10 and 16 s.
    const bursts = await tone('bursts.m4a', '0.1*if(between(mod(t,6),4,5),5,1)*sin(2*PI*180*t)', 20);
    const flat = await tone('flat.m4a', '0.1*sin(2*PI*180*t)', 20);
    const burstScore = prepareEmotion(await measureAudioFeatures(bursts))(0, 20);
    const flatScore = prepareEmotion(await measureAudioFeatures(flat))(0, 20);
    expect(burstScore.peaks).toBe(3);
    expect(flatScore.peaks).toBe(0);
    expect(burstScore.loudness).toBeGreaterThan(flatScore.loudness + 0.3);
  });

  it('returns empty arrays for a video without an audio stream', async () => {
    const file = path.join(dir, 'silent-film.mp4');
    await run(
      ffmpeg()
        .input('testsrc=s=160x90:r=10:d=2')
        .inputOptions(['-f', 'lavfi'])
        .outputOptions(['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'])
        .output(file),
    );
    expect(await measureAudioFeatures(file, { stepS: 0.5 })).toEqual({ stepS: 0.5, loudnessDb: [], pitchHz: [] });
  });

  it('reports progress, can be cancelled, and names the file it cannot read', async () => {
    const file = await tone('progress.wav', '0.2*sin(2*PI*150*t)', 60, 8000);
    const fractions: number[] = [];
    await measureAudioFeatures(file, { onProgress: (f) => fractions.push(f) });
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions[fractions.length - 1]).toBeCloseTo(1, 2);

    const controller = new AbortController();
    const cancelled = measureAudioFeatures(file, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(cancelled).rejects.toThrow(/progress\.wav was cancelled/);

    await expect(measureAudioFeatures(path.join(dir, 'missing.m4a'))).rejects.toThrow(/missing\.m4a/);
    await expect(measureAudioFeatures(file, { stepS: 0 })).rejects.toThrow(/stepS/);
  });
});

describe('AudioFeatureAnalyser', () => {
  it('gives the same answer however the samples are chunked', () => {
    const samples = new Int16Array(SAMPLE_RATE * 5);
    for (let i = 0; i < samples.length; i++) {
      const t = i / SAMPLE_RATE;
      samples[i] = Math.round(
        8000 * (t < 2 ? Math.sin(2 * Math.PI * 130 * t) : t < 3 ? 0 : Math.sin(2 * Math.PI * 260 * t)),
      );
    }
    const whole = new AudioFeatureAnalyser(1);
    whole.push(samples);
    const chunked = new AudioFeatureAnalyser(1);
    for (let at = 0, size = 1; at < samples.length; at += size, size = (size * 7) % 4093) {
      chunked.push(samples.subarray(at, at + size));
    }
    const expected = whole.finish();
    expect(chunked.finish()).toEqual(expected);
    expect(expected.pitchHz.map((hz) => (hz === null ? null : Math.round(hz)))).toEqual([130, 130, null, 260, 260]);
  });

  it('without pitch (LAYOUT reads loudness only): the same loudness, every pitch null', () => {
    const samples = new Int16Array(SAMPLE_RATE * 3);
    for (let i = 0; i < samples.length; i++)
      samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 130 * i) / SAMPLE_RATE));
    const [full, loudness] = [new AudioFeatureAnalyser(0.5), new AudioFeatureAnalyser(0.5, false)];
    full.push(samples);
    loudness.push(samples);
    const [a, b] = [full.finish(), loudness.finish()];
    expect(b.loudnessDb).toEqual(a.loudnessDb);
    expect(a.pitchHz.some((hz) => hz !== null)).toBe(true);
    expect(b.pitchHz).toEqual(a.pitchHz.map(() => null));
  });
});
