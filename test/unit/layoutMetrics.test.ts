import { describe, expect, it } from 'vitest';
import { centerSeamScore } from '../../src/media/layoutMetrics';
import { fitAspect, reframeFilter } from '../../src/media/reframe';

function frame(width: number, height: number, pixel: (x: number, y: number) => number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = pixel(x, y);
  return out;
}

describe('centerSeamScore', () => {
  it('scores a split screen (two different pictures) far above a single shot', () => {
    const split = frame(160, 90, (x, y) => (x < 80 ? 40 + ((x * 3 + y) % 7) : 170 + ((x + y * 2) % 7)));
    const single = frame(160, 90, (x, y) => 60 + x / 2 + ((x + y) % 7));
    expect(centerSeamScore(split, 160, 90)).toBeGreaterThan(3);
    expect(centerSeamScore(single, 160, 90)).toBeLessThan(3);
  });

  it('ignores a strong edge away from the centre', () => {
    const edgeAtQuarter = frame(160, 90, (x) => (x < 40 ? 30 : 200));
    expect(centerSeamScore(edgeAtQuarter, 160, 90)).toBeLessThan(3);
  });
});

describe('reframe geometry', () => {
  it('fits the largest window of an aspect ratio, with even sides', () => {
    expect(fitAspect(1920, 1080, 9 / 16)).toEqual([606, 1080]);
    expect(fitAspect(960, 1080, 1080 / 960)).toEqual([960, 852]);
  });

  it('stacks the halves for side-by-side and crops the centre for a single speaker', () => {
    expect(reframeFilter('stack_halves', 1920, 1080)).toMatch(/vstack=inputs=2/);
    expect(reframeFilter('center_crop', 1920, 1080)).toMatch(/crop=606:1080:656:0,scale=1080:1920/);
  });
});
