import { describe, expect, it } from 'vitest';
import type { AudioFeatures } from '../../src/domain/emotion';
import { AudioFeaturesSchema, emotionScore, prepareEmotion } from '../../src/domain/emotion';

/** Features at 1 s steps; pitch defaults to none. */
function features(loudnessDb: number[], pitchHz?: (number | null)[]): AudioFeatures {
  return { stepS: 1, loudnessDb, pitchHz: pitchHz ?? loudnessDb.map(() => null) };
}

const repeat = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

describe('emotion score: loudness variation', () => {
  it('is 0 for steady speech and grows with the spread of loudness, capped at 1', () => {
    expect(emotionScore(features(repeat(60, () => -20)), 0, 60).loudness).toBe(0);
    // Alternating -25/-15 dB: standard deviation 5 dB, half of the 10 dB that scores 1.
    expect(emotionScore(features(repeat(60, (i) => (i % 2 ? -25 : -15))), 0, 60).loudness).toBeCloseTo(0.5, 6);
    expect(emotionScore(features(repeat(60, (i) => (i % 2 ? -40 : -10))), 0, 60).loudness).toBe(1);
  });

  it('leaves pauses out: speech broken by silence is not "varied"', () => {
    const paused = features(repeat(60, (i) => (i % 4 === 3 ? -90 : -20)));
    expect(emotionScore(paused, 0, 60)).toEqual({ loudness: 0, pitch: 0, peaks: 0 });
  });
});

describe('emotion score: peaks', () => {
  it('counts runs of steps 6 dB above the median as one peak each', () => {
    const loudness = repeat(60, () => -30);
    loudness[10] = -20;
    loudness[11] = -22; // neighbour of step 10: same peak
    loudness[30] = -24; // exactly 6 dB above
    loudness[45] = -26; // only 4 dB above: not a peak
    expect(emotionScore(features(loudness), 0, 60).peaks).toBe(2);
  });

  it('measures against the window, not the whole file', () => {
    // A quiet first half and a loud second half: inside each half nothing stands out.
    const f = features(repeat(60, (i) => (i < 30 ? -35 : -15)));
    const score = prepareEmotion(f);
    expect(score(0, 30).peaks).toBe(0);
    expect(score(30, 60).peaks).toBe(0);
    // A window with a few loud steps at the end of a quiet stretch has one peak.
    expect(score(0, 33).peaks).toBe(1);
  });
});

describe('emotion score: pitch variation', () => {
  it('is the spread in semitones: an octave up is the same change at any pitch', () => {
    const low = features(
      repeat(20, () => -20),
      repeat(20, (i) => (i % 2 ? 100 : 200)),
    );
    const high = features(
      repeat(20, () => -20),
      repeat(20, (i) => (i % 2 ? 200 : 400)),
    );
    // ±6 semitones around the middle: standard deviation 6, over the 5 that scores 1.
    expect(emotionScore(low, 0, 20).pitch).toBe(1);
    expect(emotionScore(high, 0, 20).pitch).toBe(1);
    // 200 ↔ 224.5 Hz is 2 semitones apart: deviation 1 semitone, 0.2.
    const narrow = features(
      repeat(20, () => -20),
      repeat(20, (i) => (i % 2 ? 200 : 200 * 2 ** (2 / 12))),
    );
    expect(emotionScore(narrow, 0, 20).pitch).toBeCloseTo(0.2, 6);
    const steady = features(
      repeat(20, () => -20),
      repeat(20, () => 180),
    );
    expect(emotionScore(steady, 0, 20).pitch).toBeLessThan(1e-6);
  });

  it('skips unvoiced steps and needs at least 3 voiced ones', () => {
    const pitch = repeat<number | null>(20, () => null);
    pitch[2] = 100;
    pitch[9] = 200;
    expect(
      emotionScore(
        features(
          repeat(20, () => -20),
          pitch,
        ),
        0,
        20,
      ).pitch,
    ).toBe(0);
    pitch[15] = 100;
    expect(
      emotionScore(
        features(
          repeat(20, () => -20),
          pitch,
        ),
        0,
        20,
      ).pitch,
    ).toBeGreaterThan(0.9);
  });
});

describe('emotion score: windows', () => {
  it('takes the steps whose centre lies in [startS, endS)', () => {
    const loudness = repeat(60, () => -30);
    loudness[20] = -10;
    const score = prepareEmotion(features(loudness));
    expect(score(20, 40).peaks).toBe(1);
    expect(score(20.4, 40).peaks).toBe(1); // step 20's centre is 20.5
    expect(score(20.6, 40).peaks).toBe(0);
    expect(score(0, 20.5).peaks).toBe(0); // the end is exclusive
    expect(score(0, 20.6).peaks).toBe(1);
  });

  it('works with steps other than a second, and windows past the end', () => {
    const half: AudioFeatures = { stepS: 0.5, loudnessDb: repeat(40, (i) => (i === 10 ? -10 : -30)), pitchHz: [] };
    expect(emotionScore(half, 4, 6).peaks).toBe(1); // step 10 covers 5–5.5 s
    expect(emotionScore(half, 6, 100).peaks).toBe(0);
    expect(emotionScore(half, 100, 200)).toEqual({ loudness: 0, pitch: 0, peaks: 0 });
  });

  it('scores nothing for a file without audio', () => {
    expect(emotionScore({ stepS: 1, loudnessDb: [], pitchHz: [] }, 0, 60)).toEqual({ loudness: 0, pitch: 0, peaks: 0 });
  });

  it('answers prepared windows the same as one-off calls, and cheaply', () => {
    const f = features(
      repeat(3600, (i) => -25 + 8 * Math.sin(i / 3) + (i % 17 === 0 ? 9 : 0)),
      repeat(3600, (i) => (i % 5 === 4 ? null : 150 * 2 ** Math.sin(i / 7))),
    );
    const score = prepareEmotion(f);
    expect(score(600, 680)).toEqual(emotionScore(f, 600, 680));
    // Every cue start × end of an hour-long transcript is on the order of 20,000 windows (their
    // speed is npm run bench's to measure; here every window must answer).
    let total = 0;
    for (let start = 0; start < 3500; start += 2.5)
      for (let length = 60; length <= 90; length += 2.5) total += score(start, start + length).peaks;
    expect(total).toBeGreaterThan(0);
  });

  it('validates stored features with the schema', () => {
    expect(AudioFeaturesSchema.parse(features([-20, -90], [120, null]))).toEqual(features([-20, -90], [120, null]));
    expect(() => AudioFeaturesSchema.parse({ stepS: 0, loudnessDb: [], pitchHz: [] })).toThrow(/stepS|too_small|>0/);
  });
});
