/** Cutaway anchors with word timings: the clip starts on the anchor's first word, not at its cue's start. */
import { describe, expect, it } from 'vitest';
import { anchorReelS } from '../../src/domain/cutaways';
import type { Cue } from '../../src/domain/reel';

const cue = (startS: number, text: string, wordS?: number): Cue => {
  const words = text
    .split(' ')
    .map((w, i) => ({ w, startS: (wordS ?? startS) + i * 0.5, endS: (wordS ?? startS) + i * 0.5 + 0.4 }));
  return { startS, endS: startS + words.length * 0.5, text, ...(wordS === undefined ? {} : { words }) };
};

describe('anchorReelS', () => {
  it('places an anchor at its first word when the cue has word times', () => {
    const cues = [cue(100, 'So we measured it. The factory floor was loud.', 100)];
    // "the factory floor" starts at the fifth word: 100 + 4 × 0.5 s.
    expect(anchorReelS('the factory floor', cues, 90)).toBeCloseTo(12, 5);
  });

  it('keeps the cue start for subtitle cues without words, and when the words do not match exactly', () => {
    expect(anchorReelS('the factory floor', [cue(100, 'So we measured it. The factory floor was loud.')], 90)).toBe(10);
    expect(
      anchorReelS('factory floors', [cue(100, 'The factory floor was loud and the factory floors too', 100)], 90),
    ).toBeCloseTo(10 + 3.5, 5);
    expect(anchorReelS('loud factory', [cue(100, 'The factory floor was loud.', 100)], 90)).toBe(10);
  });
});
