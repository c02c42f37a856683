/** The steady-crop planner's rules on synthetic subject paths (the real-footage checks are in test/activities/faces.test.ts). */
import { describe, expect, it } from 'vitest';
import type { CropPlan, SubjectSample } from '../../src/domain/cropPlan';
import { ASPECTS, chooseSubjects, cropAt, DEFAULT_CROP_SETTINGS, planCrop } from '../../src/domain/cropPlan';

const W = 1920;
const H = 1080;
const times = (durationS: number, stepS = 0.5) => Array.from({ length: durationS / stepS + 1 }, (_, i) => i * stepS);
const path = (durationS: number, cx: (t: number) => number, id: (t: number) => number = () => 1): SubjectSample[] =>
  times(durationS).map((t) => ({ t, subject: { id: id(t), cx: cx(t), eyesY: 400 } }));
const plan = (samples: SubjectSample[], aspect = ASPECTS['9:16']) =>
  planCrop({ samples, sourceWidth: W, sourceHeight: H, aspect });
const cuts = (p: CropPlan) => p.keyframes.filter((k, i) => i > 0 && p.keyframes[i - 1]!.t === k.t).length;

describe('planCrop', () => {
  it('holds still while a face shakes inside the dead zone', () => {
    const p = plan(path(10, (t) => 900 + 12 * Math.sin(t * 7) + 8 * Math.sin(t * 13)));
    expect(new Set(p.keyframes.map((k) => `${k.x},${k.y}`)).size).toBe(1);
  });

  it('pans after a drifting face no faster than the limit, never turning back, even with noisy detections', () => {
    const noise = (t: number) => 6 * Math.sin(t * 17);
    const p = plan(path(20, (t) => 300 + 60 * t + noise(t)));
    const limit = DEFAULT_CROP_SETTINGS.maxPanPerS * W;
    const steps = p.keyframes.slice(1).map((k, i) => ({ dx: k.x - p.keyframes[i]!.x, dt: k.t - p.keyframes[i]!.t }));
    expect(cuts(p)).toBe(0);
    for (const { dx, dt } of steps) {
      expect(dx).toBeGreaterThanOrEqual(0);
      expect(Math.abs(dx) / dt).toBeLessThanOrEqual(limit + 2 / dt);
    }
    expect(p.keyframes[p.keyframes.length - 1]!.x).toBeGreaterThan(p.keyframes[0]!.x + 800);
  });

  it('cuts, not pans, when the face jumps across the frame', () => {
    const p = plan(path(10, (t) => (t < 5 ? 300 : 1600)));
    expect(cuts(p)).toBe(1);
    expect(new Set(p.keyframes.map((k) => k.x)).size).toBe(2);
    expect(cropAt(p, 4).x).toBe(p.keyframes[0]!.x);
  });

  it('cuts when the subject changes to another person', () => {
    const p = plan(
      path(
        10,
        (t) => (t < 5 ? 700 : 1000),
        (t) => (t < 5 ? 1 : 2),
      ),
    );
    expect(cuts(p)).toBe(1);
  });

  it('ignores one odd detection', () => {
    const p = plan(path(10, (t) => (t === 5 ? 1700 : 900)));
    expect(new Set(p.keyframes.map((k) => k.x)).size).toBe(1);
  });

  it.each(Object.entries(ASPECTS))('frames %s with the face inside and the eyes on the upper third', (_, aspect) => {
    const samples = path(4, () => 1400);
    const p = planCrop({ samples, sourceWidth: W, sourceHeight: H, aspect, settings: { zoom: 1.5 } });
    expect(Math.abs(p.width / p.height - aspect)).toBeLessThan(0.01);
    expect(p.width).toBeLessThanOrEqual(W);
    expect(p.height).toBeLessThanOrEqual(H);
    const at = cropAt(p, 2);
    expect(1400).toBeGreaterThan(at.x);
    expect(1400).toBeLessThan(at.x + p.width);
    // Eyes at 400 px: on the upper third unless the crop is pinned to the top of the frame.
    if (at.y > 0) expect(Math.abs((400 - at.y) / p.height - 1 / 3)).toBeLessThan(0.02);
    else expect((400 - at.y) / p.height).toBeLessThan(1 / 3);
  });

  it('sits in the centre when there is no subject', () => {
    const p = plan(times(4).map((t) => ({ t, subject: null })));
    expect(p.keyframes).toEqual([{ t: 0, x: Math.round(W / 2 - p.width / 2), y: 0 }]);
  });
});

describe('chooseSubjects', () => {
  const sample = (t: number, active: number | null) => ({ t, visible: [1, 2], active });

  it('keeps the speaker for the hold time before another takes over', () => {
    const samples = times(6).map((t) => sample(t, t < 1 ? 1 : 2));
    const chosen = chooseSubjects(samples, 2);
    expect(chosen.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(chosen[4]).toBe(2);
    expect(chosen.slice(4).every((id) => id === 2)).toBe(true);
  });

  it('does not flip back and forth when speakers alternate faster than the hold time', () => {
    const samples = times(10).map((t) => sample(t, Math.floor(t) % 2 === 0 ? 1 : 2));
    const chosen = chooseSubjects(samples, 2.5);
    const switches = chosen.filter((id, i) => i > 0 && id !== chosen[i - 1]).length;
    expect(switches).toBeLessThanOrEqual(10 / 2.5);
  });

  it('switches at once when the framed person leaves', () => {
    const samples = [
      { t: 0, visible: [1, 2], active: 1 },
      { t: 0.5, visible: [2], active: null },
    ];
    expect(chooseSubjects(samples, 2)).toEqual([1, 2]);
  });
});
