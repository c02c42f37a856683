/**
 * What TRANSCRIPT costs on a long source: measuring loudness and pitch over an hour of audio next
 * to a plain decode of the same file (the floor any measurement pays), and scoring every window of
 * an hour's transcript with and without the audio's emotion. Both sides run in the same process.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareEmotion } from '../src/domain/emotion';
import { momentCandidates } from '../src/domain/moment';
import type { Cue } from '../src/domain/reel';
import { measureAudioFeatures } from '../src/media/audioFeatures';
import { ffmpeg, run } from '../src/media/ffmpeg';

export interface TranscriptMeasurement {
  audioSeconds: number;
  decodeMs: number;
  featuresMs: number;
  /** Measuring features, as a multiple of a plain decode. */
  featuresPerDecode: number;
  /** Seconds of audio measured per second of work. */
  realTimeFactor: number;
  cues: number;
  scoringMs: number;
  scoringWithEmotionMs: number;
}

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return Math.round(performance.now() - start);
};

export async function measureTranscript(dir: string, audioSeconds = 3600): Promise<TranscriptMeasurement> {
  // Speech-like audio: a pitch that wanders and a loudness that swells, as AAC at 48 kHz like a podcast.
  const file = path.join(dir, 'long-audio.m4a');
  await run(
    ffmpeg()
      .input(`aevalsrc='0.4*(0.6+0.4*sin(t/3))*sin(2*PI*(160+60*sin(t/2))*t)':s=48000:d=${audioSeconds}`)
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(['-c:a', 'aac', '-b:a', '96k'])
      .output(file),
  );
  const decodeMs = await elapsed(() => run(ffmpeg(file).outputOptions(['-f', 'null']).output('-')));
  let features = await measureAudioFeatures(file);
  const featuresMs = await elapsed(async () => {
    features = await measureAudioFeatures(file);
  });

  const cues: Cue[] = Array.from({ length: Math.floor(audioSeconds / 5) }, (_, i) => ({
    startS: i * 5,
    endS: i * 5 + 4.8,
    text: i % 4 === 3 ? `Why does step ${i} matter so much?` : `Sentence ${i} says something short and clear.`,
  }));
  const scoringMs = await elapsed(async () => momentCandidates({ cues }, 5));
  const emotion = prepareEmotion(features);
  const scoringWithEmotionMs = await elapsed(async () =>
    momentCandidates({ cues, emotion: (s, e) => ({ ...emotion(s, e) }) }, 5),
  );
  return {
    audioSeconds,
    decodeMs,
    featuresMs,
    featuresPerDecode: Math.round((featuresMs / Math.max(1, decodeMs)) * 10) / 10,
    realTimeFactor: Math.round(audioSeconds / (featuresMs / 1000)),
    cues: cues.length,
    scoringMs,
    scoringWithEmotionMs,
  };
}
