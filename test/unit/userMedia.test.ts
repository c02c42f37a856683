/** Planning the user's own cutaways and overlays, and B-roll around them (pure functions). */
import { describe, expect, it } from 'vitest';
import { planCutaways } from '../../src/domain/cutaways';
import type { UserMediaItem } from '../../src/domain/userMedia';
import { planOverlays, planUserCutaways } from '../../src/domain/userMedia';

const cues = [{ startS: 17, endS: 19, text: 'We rebuilt the whole pipeline in a week.' }];
const MOMENT_START = 10;
const REEL = 60;
const clip = (key: string, at: UserMediaItem['at'], mediaDurationS: number, durationS?: number): UserMediaItem => ({
  key,
  path: `/media/${key}.mp4`,
  at,
  mediaDurationS,
  ...(durationS ? { durationS } : {}),
});

describe('planUserCutaways', () => {
  it("uses the clip's length capped at 8 s, or durationS but never past the clip", () => {
    const plan = planUserCutaways(
      [clip('a', { reelS: 1 }, 12), clip('b', { reelS: 20 }, 3, 6), clip('c', { reelS: 30 }, 10, 5)],
      cues,
      MOMENT_START,
      REEL,
    );
    expect(plan.placed.map((p) => [p.key, p.startS, p.durationS])).toEqual([
      ['a', 1, 8],
      ['b', 20, 3],
      ['c', 30, 5],
    ]);
  });

  it('finds an anchor in source time and places it in reel time', () => {
    const plan = planUserCutaways([clip('a', { anchor: 'rebuilt the whole pipeline' }, 4)], cues, MOMENT_START, REEL);
    expect(plan.placed[0]).toMatchObject({ startS: 7, durationS: 4, at: { anchor: 'rebuilt the whole pipeline' } });
  });

  it('moves a cutaway that would overlap an earlier one, and cuts one at the end of the reel', () => {
    const plan = planUserCutaways(
      [clip('late', { reelS: 57 }, 6), clip('first', { reelS: 5 }, 4), clip('second', { reelS: 6 }, 4)],
      cues,
      MOMENT_START,
      REEL,
    );
    expect(plan.placed.map((p) => [p.key, p.startS, p.durationS, p.note])).toEqual([
      ['first', 5, 4, undefined],
      ['second', 9.25, 4, "moved from 6.0 s to follow the user's cutaway first"],
      ['late', 57, 3, 'cut at the end of the reel'],
    ]);
  });

  it('skips with a reason: unknown phrase, past the end, unreadable file, no room', () => {
    const plan = planUserCutaways(
      [
        clip('phrase', { anchor: 'never said' }, 4),
        clip('past', { reelS: 61 }, 4),
        { ...clip('broken', { reelS: 2 }, 0), problem: 'the file has no picture' },
        clip('tail', { reelS: 59.5 }, 4),
      ],
      cues,
      MOMENT_START,
      REEL,
    );
    expect(plan.placed).toEqual([]);
    expect(plan.skipped.map((s) => [s.key, s.reason])).toEqual([
      ['phrase', 'anchor "never said" is not spoken in the moment'],
      ['past', '61 s is past the end of the reel (60.0 s)'],
      ['broken', 'the file has no picture'],
      ['tail', 'too close to the end of the reel'],
    ]);
  });
});

describe('planOverlays', () => {
  it('defaults to 3 s, lets overlays overlap, and keeps their order', () => {
    const plan = planOverlays(
      [
        { key: 'overlay-1', path: '/a.png', at: { reelS: 4 } },
        { key: 'overlay-2', path: '/b.png', at: { reelS: 5 }, durationS: 10 },
        { key: 'overlay-3', path: '/c.png', at: { reelS: 59 } },
      ],
      cues,
      MOMENT_START,
      REEL,
    );
    expect(plan.placed.map((p) => [p.key, p.startS, p.durationS])).toEqual([
      ['overlay-1', 4, 3],
      ['overlay-2', 5, 10],
      ['overlay-3', 59, 1],
    ]);
  });
});

describe('planCutaways around user cutaways', () => {
  const broll = (key: string, durationS = 4) => ({
    key,
    path: `/clips/${key}.mp4`,
    narrativeAnchor: 'rebuilt the whole pipeline',
    durationS,
  });

  it('is unchanged when nothing is reserved', () => {
    expect(planCutaways([broll('k')], cues, MOMENT_START, REEL).placed).toEqual([
      { key: 'k', path: '/clips/k.mp4', startS: 7, durationS: 4 },
    ]);
  });

  it('shortens a clip to end before a user cutaway that starts soon after its anchor', () => {
    const plan = planCutaways([broll('k')], cues, MOMENT_START, REEL, [{ key: 'cutaway-1', startS: 9.5, endS: 12 }]);
    expect(plan.placed[0]).toMatchObject({
      startS: 7,
      durationS: 2.25,
      note: "shortened to end before a user's cutaway",
    });
  });

  it('moves a clip past a user cutaway that covers its anchor, and over a second one if needed', () => {
    const plan = planCutaways([broll('k')], cues, MOMENT_START, REEL, [
      { key: 'cutaway-1', startS: 6, endS: 9 },
      { key: 'cutaway-2', startS: 10, endS: 12 },
    ]);
    expect(plan.placed[0]).toMatchObject({ startS: 12.25, durationS: 4 });
    expect(plan.placed[0]!.note).toContain('cutaway-2');
  });
});
