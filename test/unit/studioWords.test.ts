/** The studio's plain words for the API's answers (web/words.ts is pure, so it runs here without a browser). */
import { describe, expect, it } from 'vitest';
import { outcomeText, sentence } from '../../web/words';

describe("the studio's words for action answers", () => {
  it('says what a signal or an update did', () => {
    expect(outcomeText('Resume', 202, { projectId: 'reel-x-1', signal: 'resume' })).toBe(
      'Resume: done — signal resume.',
    );
    expect(
      outcomeText('Cancel B-roll', 200, { ok: true, outcome: { cancelled: 2, kept: 1, clipsDone: ['intro'] } }),
    ).toBe('Cancel B-roll: done — cancelled 2, kept 1, clips done intro.');
    expect(outcomeText('Retry B-roll', 200, { ok: true })).toBe('Retry B-roll: done.');
  });

  it('says why an action was refused or failed, in the API’s own words', () => {
    expect(outcomeText('Resume', 409, { error: 'the run is not waiting for resume' })).toBe(
      'Resume was refused: the run is not waiting for resume',
    );
    expect(outcomeText('Resume', 404, { error: 'no run with id reel-x-1' })).toBe(
      'Resume failed: no run with id reel-x-1',
    );
    expect(outcomeText('Resume', 500, 'Bad Gateway')).toBe('Resume failed: Bad Gateway');
    expect(outcomeText('Resume', 401, { error: 'missing or wrong bearer token' })).toMatch(/needs its token/);
  });

  it('leaves empty values out of sentences', () => {
    expect(sentence({ attempt: 1, feedback: [], verdict: 'PASS', note: null })).toBe('attempt 1, verdict PASS');
  });
});
