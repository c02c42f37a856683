import { describe, expect, it } from 'vitest';
import { isPunctuated, momentBounds, momentCandidates, pickMoment } from '../../src/domain/moment';
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

  it('returns undefined when every sentence end leaves less than 60 s', () => {
    // Punctuated captions whose sentences all end in the first 45 s: no 60 s window ends on one.
    const transcript = cues(60, 5, (i) => (i < 9 ? `Short sentence ${i}.` : `and then ${i}`));
    expect(pickMoment({ cues: transcript })).toBeUndefined();
  });

  it('ends unpunctuated captions at a pause', () => {
    // Auto-captions: no punctuation; a 1 s pause after every 7th line.
    let t = 0;
    const transcript: Cue[] = Array.from({ length: 60 }, (_, i) => {
      const cue = { startS: t, endS: t + 4.8, text: `so we kept going with part ${i}` };
      t += i % 7 === 6 ? 5.8 : 5;
      return cue;
    });
    const moment = pickMoment({ cues: transcript })!;
    expect(moment.boundary).toBe('pause');
    const lastIndex = transcript.findIndex((cue) => cue.endS === moment.endS);
    expect(lastIndex % 7).toBe(6);
    expect(moment.endS - moment.startS).toBeGreaterThanOrEqual(60);
    expect(isPunctuated(transcript)).toBe(false);
  });

  it('offers distinct candidates and skips spans to avoid', () => {
    const transcript = cues(80, 5, (i) => `Sentence number ${i} is short.`);
    const candidates = momentCandidates({ cues: transcript }, 4);
    expect(candidates).toHaveLength(4);
    for (const [i, a] of candidates.entries()) {
      for (const b of candidates.slice(i + 1)) {
        const overlap = Math.max(0, Math.min(a.endS, b.endS) - Math.max(a.startS, b.startS));
        expect(overlap).toBeLessThanOrEqual(0.5 * Math.min(a.endS - a.startS, b.endS - b.startS));
      }
    }
    const first = candidates[0]!;
    const next = pickMoment({ cues: transcript, avoid: [{ startS: first.startS, endS: first.endS }] })!;
    expect(next.startS).not.toBe(first.startS);
  });

  it('adds measured audio emotion to the score', () => {
    const transcript = cues(60, 5, (i) => `Sentence number ${i} is short.`);
    const plain = pickMoment({ cues: transcript })!;
    const excited = pickMoment({ cues: transcript, emotion: (startS) => ({ pitch: startS >= 150 ? 1 : 0 }) })!;
    expect(plain.startS).toBeLessThan(150);
    expect(excited.startS).toBeGreaterThanOrEqual(150);
    expect(excited.breakdown.pitch).toBe(1);
  });
});
