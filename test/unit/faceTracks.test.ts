/** Face tracking and active-speaker scoring on synthetic detections (the real detector runs in test/activities/faces.test.ts). */
import { describe, expect, it } from 'vitest';
import type { FaceObservation } from '../../src/media/faceTracks';
import { activeSpeakers, speakingScores, trackFaces } from '../../src/media/faceTracks';

const face = (x: number, mouthOpen = 0.05, w = 0.1): FaceObservation => ({
  box: { x, y: 0.2, w, h: w * 1.6 },
  score: 0.9,
  eyesY: 0.3,
  mouthOpen,
});
const times = (n: number) => Array.from({ length: n }, (_, i) => i * 0.5);

describe('trackFaces', () => {
  it('keeps identities by position while faces move slowly, whatever order the detector lists them in', () => {
    const frames = times(10).map((atS, i) => {
      const faces = [face(0.1 + i * 0.01), face(0.7 - i * 0.01)];
      return { atS, faces: i % 2 ? faces.reverse() : faces };
    });
    const tracked = trackFaces(frames);
    const leftIds = new Set(tracked.map((fs) => fs.find((f) => f.box.x < 0.4)!.track));
    const rightIds = new Set(tracked.map((fs) => fs.find((f) => f.box.x > 0.4)!.track));
    expect(leftIds.size).toBe(1);
    expect(rightIds.size).toBe(1);
    expect([...leftIds][0]).not.toBe([...rightIds][0]);
  });

  it('starts a new track when a face jumps, and drops one-frame noise', () => {
    const frames = times(10).map((atS, i) => ({
      atS,
      faces: [face(i < 5 ? 0.1 : 0.8), ...(i === 3 ? [face(0.45, 0.05, 0.03)] : [])],
    }));
    const tracked = trackFaces(frames);
    expect(tracked[3]).toHaveLength(1);
    expect(tracked[0]![0]!.track).not.toBe(tracked[9]![0]!.track);
  });
});

describe('active speaker', () => {
  // Face 1's mouth moves; face 2's stays still. Speech only in the first 3 s.
  const n = 12;
  const frames = trackFaces(
    times(n).map((atS, i) => ({ atS, faces: [face(0.1, i % 2 ? 0.09 : 0.05), face(0.6, 0.05)] })),
  );
  const speech = times(n).map((t) => t < 3);

  it('is the face whose mouth moves while there is speech, and nobody in pauses', () => {
    const active = activeSpeakers(frames, times(n), speech);
    const mover = frames[0]!.find((f) => f.box.x < 0.3)!.track;
    expect(active.slice(0, 6).every((id) => id === mover)).toBe(true);
    expect(active.slice(6).every((id) => id === null)).toBe(true);
  });

  it('scores the moving mouth above the still one', () => {
    const scores = speakingScores(
      frames,
      times(n),
      times(n).map(() => true),
    );
    const [mover, still] = frames[0]!.map((f) => f.track);
    expect(scores[mover!]).toBeGreaterThan(0.01);
    expect(scores[still!]).toBeLessThan(0.001);
  });
});
