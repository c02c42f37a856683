import { describe, expect, it } from 'vitest';
import { momentBounds, pickMoment } from '../../src/domain/moment';
import type { Cue } from '../../src/domain/reel';

/** Cues of `lengthS` seconds back to back, with text from `text(i)`. */
function cues(count: number, lengthS: number, text: (i: number) => string): Cue[] {
  return Array.from({ length: count }, (_, i) => ({
    startS: i * lengthS,
    endS: (i + 1) * lengthS - 0.2,
    text: text(i),
  }));
}

describe('pickMoment', () => {
  it('picks a 60–90 s window that starts on a cue and ends on a sentence end', () => {
    const transcript = cues(60, 5, (i) => (i % 3 === 2 ? `Line ${i} ends here.` : `line ${i} goes on and`));
    const moment = pickMoment({ cues: transcript });
    expect(moment).toBeDefined();
    const length = moment!.endS - moment!.startS;
    expect(length).toBeGreaterThanOrEqual(60);
    expect(length).toBeLessThanOrEqual(90);
    expect(moment!.cues.at(-1)!.text).toMatch(/\.$/);
    expect(transcript.some((cue) => cue.startS === moment!.startS)).toBe(true);
  });

  it('lets a topic dominate: the window holding the only mention wins', () => {
    const transcript = cues(60, 5, (i) =>
      i === 45 ? 'We should talk about latency budgets.' : `Sentence number ${i} is short.`,
    );
    const moment = pickMoment({ cues: transcript, topic: 'latency' })!;
    expect(moment.startS).toBeLessThanOrEqual(45 * 5);
    expect(moment.endS).toBeGreaterThanOrEqual(46 * 5 - 0.2);
    expect(moment.breakdown.topic).toBe(10);
  });

  it('honours a preferred duration', () => {
    const transcript = cues(60, 5, (i) => `Sentence ${i}.`);
    const moment = pickMoment({ cues: transcript, durationS: 40 })!;
    const { minS, maxS } = momentBounds(40);
    expect(moment.endS - moment.startS).toBeGreaterThanOrEqual(minS);
    expect(moment.endS - moment.startS).toBeLessThanOrEqual(maxS);
  });

  it('returns undefined when no window is long enough', () => {
    expect(pickMoment({ cues: cues(10, 5, (i) => `Sentence ${i}.`) })).toBeUndefined();
  });

  it('returns undefined when no cue ends a sentence', () => {
    expect(pickMoment({ cues: cues(60, 5, (i) => `and then ${i}`) })).toBeUndefined();
  });
});
