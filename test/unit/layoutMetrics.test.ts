import { describe, expect, it } from 'vitest';
import type { Frame, FrameMeasures } from '../../src/media/layoutMetrics';
import {
  classifyFrame,
  detail,
  motion,
  movedOutside,
  patchDifference,
  seamScore,
  segmentLayouts,
  summariseMotion,
} from '../../src/media/layoutMetrics';
import { fitAspect, reframeFilter, trackExpression } from '../../src/media/reframe';

function frame(width: number, height: number, pixel: (x: number, y: number) => number): Frame {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = pixel(x, y);
  return { pixels, width, height };
}

const measures = (over: Partial<FrameMeasures> & { moving?: number; cornerShare?: number }): FrameMeasures => ({
  seamVertical: over.seamVertical ?? 1,
  seamHorizontal: over.seamHorizontal ?? 1,
  detail: over.detail ?? 2,
  motion: {
    moving: over.moving ?? 0.05,
    centreX: 0.5,
    cornerShare: over.cornerShare ?? 0,
    corner: { x: 0.7, y: 0.7, w: 0.3, h: 0.3 },
  },
});

describe('seamScore', () => {
  it('scores a split screen far above a single shot, both ways', () => {
    const split = frame(160, 90, (x, y) => (x < 80 ? 40 + ((x * 3 + y) % 7) : 170 + ((x + y * 2) % 7)));
    const single = frame(160, 90, (x, y) => 60 + x / 2 + ((x + y) % 7));
    const quad = frame(160, 90, (x, y) => (x < 80 ? 40 : 120) + (y < 45 ? 0 : 70));
    expect(seamScore(split, 'vertical')).toBeGreaterThan(3);
    expect(seamScore(single, 'vertical')).toBeLessThan(3);
    expect(seamScore(quad, 'vertical')).toBeGreaterThan(3);
    expect(seamScore(quad, 'horizontal')).toBeGreaterThan(3);
  });

  it('ignores an edge away from the centre, and an object edge that only partly crosses it', () => {
    expect(seamScore(frame(160, 90, (x) => (x < 40 ? 30 : 200)))).toBeLessThan(3);
    // A person standing in the middle: their edge covers a third of the height.
    expect(seamScore(frame(160, 90, (x, y) => (x >= 80 && y > 30 && y < 60 ? 220 : 50)))).toBeLessThan(3);
  });
});

describe('detail and motion', () => {
  it('finds text-like detail high and flat colour low', () => {
    expect(detail(frame(160, 90, (x, y) => (x % 3 === 0 || y % 4 === 0 ? 0 : 255)))).toBeGreaterThan(14);
    expect(detail(frame(160, 90, () => 90))).toBe(0);
  });

  it('locates motion and the corner it sits in', () => {
    const still = frame(160, 90, () => 50);
    const moved = frame(160, 90, (x, y) => (x > 130 && y > 70 ? 200 : 50));
    const summary = summariseMotion(motion(still, moved), 160, 90);
    expect(summary.centreX).toBeGreaterThan(0.8);
    expect(summary.cornerShare).toBe(1);
    expect(summary.corner).toEqual({ x: 0.7, y: 0.7, w: 0.3, h: 0.3 });
    expect(summariseMotion(motion(still, still), 160, 90)).toMatchObject({ moving: 0, centreX: 0.5 });
  });
});

describe('following faces between detector looks', () => {
  // A 64x36 RGB picture: a flat wall with a textured square (a "face") whose left edge is at `at`.
  const W = 64;
  const H = 36;
  const picture = (at: number) => {
    const rgb = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const inFace = x >= at && x < at + 12 && y >= 10 && y < 22;
        rgb.fill(inFace ? (((x - at) * 37 + y * 91) % 200) + 20 : 90, (y * W + x) * 3, (y * W + x) * 3 + 3);
      }
    return rgb;
  };
  const box = (at: number) => ({ x: at / W, y: 10 / H, w: 12 / W, h: 12 / H });

  it('patchDifference: ~0 for the same face where it moved to, large for a wall where a face was', () => {
    const [before, after] = [picture(10), picture(14)];
    expect(patchDifference({ rgb: before, box: box(10) }, { rgb: after, box: box(14) }, W, H)).toBeLessThan(0.1);
    expect(patchDifference({ rgb: before, box: box(10) }, { rgb: after, box: box(40) }, W, H)).toBeGreaterThan(0.8);
  });

  it('movedOutside: a face moving inside its own box is not motion outside; a newcomer is', () => {
    const gray = (rgb: Uint8Array) => frame(W, H, (x, y) => rgb[(y * W + x) * 3]!);
    const still = gray(picture(10));
    const talking = gray(picture(11));
    expect(movedOutside(still, talking, [box(10)])).toBe(0);
    const newcomer = frame(W, H, (x, y) => (x >= 44 && x < 56 && y >= 10 && y < 22 ? 200 : still.pixels[y * W + x]!));
    expect(movedOutside(still, newcomer, [box(10)])).toBeGreaterThan(0.05);
  });
});

describe('classifyFrame', () => {
  it('tells the four layouts apart', () => {
    expect(classifyFrame(measures({ seamVertical: 20, seamHorizontal: 30 }))).toBe('grid');
    expect(classifyFrame(measures({ seamVertical: 20 }))).toBe('side_by_side');
    expect(classifyFrame(measures({ detail: 24, moving: 0.004, cornerShare: 0.95 }))).toBe('screen_share');
    expect(classifyFrame(measures({ detail: 24, moving: 0 }))).toBe('screen_share');
    expect(classifyFrame(measures({ detail: 24, moving: 0.3, cornerShare: 0.2 }))).toBe('speaker_focus');
    expect(classifyFrame(measures({}))).toBe('speaker_focus');
  });
});

describe('segmentLayouts', () => {
  const samples = (layouts: string[]) =>
    layouts.map((layout, i) => ({ atS: 10 + i * 2, layout: layout as 'side_by_side' }));

  it('splits where the layout changes, halfway between samples', () => {
    const spans = segmentLayouts(
      samples(['side_by_side', 'side_by_side', 'side_by_side', 'speaker_focus', 'speaker_focus', 'speaker_focus']),
      10,
      22,
      4,
    );
    expect(spans).toEqual([
      { startS: 10, endS: 15, layout: 'side_by_side' },
      { startS: 15, endS: 22, layout: 'speaker_focus' },
    ]);
  });

  it('absorbs a run too short to be a segment', () => {
    const spans = segmentLayouts(samples(['grid', 'grid', 'grid', 'speaker_focus', 'grid', 'grid']), 10, 22, 4);
    expect(spans).toEqual([{ startS: 10, endS: 22, layout: 'grid' }]);
  });

  it('covers the whole window with one segment when there are no samples', () => {
    expect(segmentLayouts([], 5, 9, 4)).toEqual([{ startS: 5, endS: 9, layout: 'speaker_focus' }]);
  });
});

describe('reframe geometry', () => {
  it('fits the largest window of an aspect ratio, with even sides', () => {
    expect(fitAspect(1920, 1080, 9 / 16)).toEqual([606, 1080]);
    expect(fitAspect(960, 1080, 1080 / 960)).toEqual([960, 852]);
  });

  it('builds a filter for each strategy', () => {
    const at = { startS: 0 };
    expect(reframeFilter({ ...at, strategy: 'stack_halves' }, 1920, 1080)).toMatch(/vstack=inputs=2/);
    expect(reframeFilter({ ...at, strategy: 'center_crop' }, 1920, 1080)).toMatch(
      /crop=606:1080:656:0,scale=1080:1920/,
    );
    expect(reframeFilter({ ...at, strategy: 'fit_blur' }, 1920, 1080)).toMatch(/boxblur.*overlay/);
    expect(
      reframeFilter(
        { ...at, strategy: 'content_over_speaker', speakerBox: { x: 0.7, y: 0.7, w: 0.3, h: 0.3 } },
        1920,
        1080,
      ),
    ).toMatch(/scale=1080:606.*vstack/);
    expect(
      reframeFilter(
        {
          ...at,
          strategy: 'follow_crop',
          track: [
            { t: 0, x: 0.2 },
            { t: 4, x: 0.8 },
          ],
        },
        1920,
        1080,
      ),
    ).toMatch(/crop=606:1080:'if\(lt\(t,0\.00\)/);
  });

  it('moves a follow crop along its track, clamped to the frame', () => {
    const expr = trackExpression(
      [
        { t: 10, x: 0.1 },
        { t: 12, x: 0.5 },
        { t: 14, x: 0.9 },
      ],
      10,
      1920,
      606,
    );
    // x = 0.1 clamps to 0, 0.5 centres (960 − 303), 0.9 clamps to 1920 − 606; straight lines between.
    expect(expr).toBe(
      'if(lt(t,0.00),0,if(lt(t,2.00),0+(657)*(t-0.00)/2.00,if(lt(t,4.00),657+(657)*(t-2.00)/2.00,1314)))',
    );
  });
});
