/** Where ASSEMBLY's encode is cut into chunks (src/media/chunks.ts). */
import { describe, expect, it } from 'vitest';
import { crossfadeSpans, planChunks } from '../../src/media/chunks';
import { CROSSFADE_S } from '../../src/media/reframe';

/** The chunks cover [0, duration) back to back. */
function expectCovers(chunks: { fromS: number; toS: number }[], durationS: number) {
  expect(chunks[0]!.fromS).toBe(0);
  expect(chunks[chunks.length - 1]!.toS).toBe(durationS);
  for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.fromS).toBe(chunks[i - 1]!.toS);
}

describe('planChunks', () => {
  it('keeps a reel of up to one and a half chunks whole (one command, no chunking)', () => {
    expect(planChunks(10, 15)).toEqual([{ fromS: 0, toS: 10 }]);
    expect(planChunks(22.4, 15)).toEqual([{ fromS: 0, toS: 22.4 }]);
  });

  it('cuts a long reel into whole-second chunks, a short tail joining the last one', () => {
    const chunks = planChunks(69.8, 15);
    expectCovers(chunks, 69.8);
    expect(chunks.map((c) => c.toS)).toEqual([15, 30, 45, 60, 69.8]);
    // 37 s: 15 + 22 rather than 15 + 15 + 7.
    expect(planChunks(37, 15).map((c) => c.toS)).toEqual([15, 37]);
    for (const c of planChunks(200, 15)) expect(c.toS - c.fromS).toBeLessThan(22.5);
  });

  it('never puts a boundary inside a crossfade at a layout change', () => {
    const segments = [
      { startS: 100, endS: 114.9 },
      { startS: 114.9, endS: 140 },
    ];
    const fades = crossfadeSpans(segments, 'fade');
    expect(fades).toHaveLength(1);
    expect(fades[0]!.fromS).toBeCloseTo(14.9, 6);
    expect(fades[0]!.toS).toBeCloseTo(14.9 + CROSSFADE_S, 6);
    const chunks = planChunks(40, 15, fades);
    expectCovers(chunks, 40);
    expect(chunks.map((c) => c.toS)).toEqual([16, 31, 40]);
    expect(crossfadeSpans(segments, 'dip_to_black')).toEqual([]);
  });

  it('moves a boundary past a cutaway it would cut, unless the chunk would pass two chunks', () => {
    // The bench's middle B-roll clip, 13.2–17.2 s of a 30 s reel: one chunk ends after it.
    expect(planChunks(40, 15, [{ fromS: 13.2, toS: 17.2 }]).map((c) => c.toS)).toEqual([18, 40]);
    // A 30 s user cutaway from 10 s: cut at 15 (past it would be a 40 s chunk), then passed (25 s).
    expect(planChunks(60, 15, [{ fromS: 10, toS: 40 }]).map((c) => c.toS)).toEqual([15, 40, 60]);
    // Spans in any order: past the first, then past the one that boundary falls in.
    const chunks = planChunks(60, 15, [
      { fromS: 16.5, toS: 19.5 },
      { fromS: 14, toS: 17 },
    ]);
    expect(chunks[0]!.toS).toBe(20);
  });

  it('refuses a reel with no duration', () => {
    expect(() => planChunks(0, 15)).toThrow(/duration must be positive/);
  });
});
