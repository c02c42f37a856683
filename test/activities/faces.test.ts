/**
 * Speaker-aware framing on real faces: LAYOUT_DETECTIVE with the real detector on small videos made
 * from real photographs (test/helpers/faceVideos.ts), FFMPEG_ENGINEER rendering the planned crop,
 * and the face found again in the rendered reel where the plan meant it to be.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { CropPlan } from '../../src/domain/cropPlan';
import { cropAt, DEFAULT_CROP_SETTINGS } from '../../src/domain/cropPlan';
import type { Layout, LayoutResult, LayoutSegment } from '../../src/domain/reel';
import { detectFaces } from '../../src/media/faceDetector';
import { frameSeries } from '../../src/media/ffmpeg';
import { testConfig } from '../helpers/config';
import type { FaceVideo } from '../helpers/faceVideos';
import {
  drift,
  FACE_VIDEO,
  gridVideo,
  jitter,
  jump,
  movingFaceVideo,
  screenShareVideo,
  splitScreenVideo,
  talkingPairVideo,
} from '../helpers/faceVideos';
import { tempDir } from '../helpers/media';

let dir: string;
let activities: ReturnType<typeof createActivities>;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

const LAYOUTS: Layout[] = ['side_by_side', 'speaker_focus', 'grid', 'screen_share'];

interface LayoutFile {
  segments: LayoutSegment[];
  seamOnlySegments: { layout: Layout }[];
  frames: { layout: Layout; rule: string; seamLayout: Layout; faces: { track: number }[] }[];
}

beforeAll(async () => {
  dir = await tempDir('faces');
  activities = createActivities({ config: testConfig(dir) });
});

async function detect(name: string, video: FaceVideo) {
  const workspace = path.join(dir, 'runs', name);
  await mkdir(workspace, { recursive: true });
  const result: LayoutResult = await env.run(activities.detectLayout, {
    workspace,
    source: video.file,
    startS: 0,
    endS: video.durationS,
  });
  const record = JSON.parse(await readFile(result.layoutPath, 'utf8')) as LayoutFile;
  // The seam-only classifier's answer is recorded beside every face-based decision.
  expect(record.seamOnlySegments.length).toBeGreaterThan(0);
  for (const f of record.frames) expect(LAYOUTS).toContain(f.seamLayout);
  console.log(
    `${name}: from faces ${record.segments.map((s) => s.layout).join('+')}; ` +
      `seams only ${record.seamOnlySegments.map((s) => s.layout).join('+')}`,
  );
  return { workspace, result, record };
}

/** The one speaker-focus segment's crop plan. */
function onlyCrop(result: LayoutResult): CropPlan {
  expect(result.segments).toHaveLength(1);
  expect(result.segments[0]).toMatchObject({ layout: 'speaker_focus', strategy: 'follow_crop', framedBy: 'faces' });
  return result.segments[0]!.crop!;
}

const cutTimes = (plan: CropPlan) =>
  plan.keyframes.filter((k, i) => i > 0 && plan.keyframes[i - 1]!.t === k.t).map((k) => k.t);

/**
 * Renders the reel's picture, finds the face again in its frames (2 a second), and checks each
 * against where the plan put the face: the true face centre seen through the planned crop. Frames
 * within 0.2 s of a cut are skipped (a decoded frame's time can be off by a frame).
 */
async function expectFaceWherePlanned(name: string, video: FaceVideo, workspace: string, segments: LayoutSegment[]) {
  const prepared = await env.run(activities.renderSegments, {
    workspace,
    source: video.file,
    segments,
    captions: 'none',
  });
  const { reelPath } = await env.run(activities.assembleReel, {
    workspace,
    ...prepared,
    momentPath: path.join(workspace, 'moment.json'),
    clips: [],
  });
  const plan = segments[0]!.crop!;
  const [w, h] = [270, 480];
  const frames = await frameSeries(reelPath, 0, video.durationS, 0.5, w, h, 'rgb24');
  const cuts = cutTimes(plan);
  let checked = 0;
  for (const [i, pixels] of frames.entries()) {
    const t = i * 0.5;
    if (cuts.some((c) => Math.abs(c - t) < 0.2)) continue;
    const crop = cropAt(plan, t);
    const expected = video
      .faces(t)
      .map((f) => (f.x - crop.x) / plan.width)
      .filter((x) => x > 0 && x < 1);
    const found = await detectFaces({ pixels, width: w, height: h });
    expect(found.length, `${name}: a face in the reel at ${t} s`).toBeGreaterThan(0);
    expect(expected.length, `${name}: the plan frames a face at ${t} s`).toBeGreaterThan(0);
    const seen = found[0]!.box.x + found[0]!.box.w / 2;
    const error = Math.min(...expected.map((x) => Math.abs(x - seen)));
    expect(error, `${name}: face centre error at ${t} s`).toBeLessThanOrEqual(0.1);
    checked += 1;
  }
  expect(checked).toBeGreaterThan(frames.length / 2);
}

/**
 * Between the detector's looks the faces are followed by the landmark net alone: most frames must
 * be followed, and every frame's face box (detected or followed) must sit where the face truly is,
 * within `px` source pixels once the box's own offset from the face centre (its median) is taken off.
 * (The face is ~70 px wide; the detector looking at every frame of the drift video scatters ±7 px.)
 */
function expectFollowedWithin(name: string, video: FaceVideo, record: LayoutFile, px: number) {
  const { followedFrames } = record as LayoutFile & { followedFrames: number };
  const frames = record.frames as unknown as { atS: number; faces: { x: number; w: number }[] }[];
  expect(followedFrames, `${name}: frames followed without the detector`).toBeGreaterThan(frames.length / 2);
  const offsets = frames.map((f) => {
    expect(f.faces, `${name}: one face at ${f.atS} s`).toHaveLength(1);
    return (f.faces[0]!.x + f.faces[0]!.w / 2) * FACE_VIDEO.width - video.faces(f.atS)[0]!.x;
  });
  const median = [...offsets].sort((a, b) => a - b)[Math.floor(offsets.length / 2)]!;
  for (const [i, offset] of offsets.entries())
    expect(Math.abs(offset - median), `${name}: face box off the face at ${frames[i]!.atS} s`).toBeLessThanOrEqual(px);
}

describe('framing real faces', () => {
  it('jitter: the crop does not move, and the face is where the plan put it', async () => {
    const video = await movingFaceVideo(dir, 'jitter', 4, jitter(240));
    const { workspace, result, record } = await detect('jitter', video);
    const plan = onlyCrop(result);
    expect(new Set(plan.keyframes.map((k) => `${k.x},${k.y}`)).size).toBe(1);
    expect(record.frames.every((f) => f.faces.length === 1 && f.rule === 'one face')).toBe(true);
    await expectFaceWherePlanned('jitter', video, workspace, result.segments);
  });

  it('drift: the crop follows within the speed limit, never turning back', async () => {
    const video = await movingFaceVideo(dir, 'drift', 8, drift(40, 35));
    const { workspace, result, record } = await detect('drift', video);
    const plan = onlyCrop(result);
    expectFollowedWithin('drift', video, record, 10);
    const limit = DEFAULT_CROP_SETTINGS.maxPanPerS * FACE_VIDEO.width;
    expect(cutTimes(plan)).toEqual([]);
    for (const [i, k] of plan.keyframes.slice(1).entries()) {
      const before = plan.keyframes[i]!;
      const dx = k.x - before.x;
      expect(dx).toBeGreaterThanOrEqual(0);
      // Keyframes are whole pixels: allow 1 px of rounding.
      expect(dx / (k.t - before.t)).toBeLessThanOrEqual(limit + 1 / (k.t - before.t));
    }
    const last = plan.keyframes[plan.keyframes.length - 1]!;
    expect(last.x - plan.keyframes[0]!.x).toBeGreaterThan(200);
    await expectFaceWherePlanned('drift', video, workspace, result.segments);
  });

  it('jump: one cut, no pan', async () => {
    const video = await movingFaceVideo(dir, 'jump', 6, jump(60, 420, 3));
    const { workspace, result } = await detect('jump', video);
    const plan = onlyCrop(result);
    const cuts = cutTimes(plan);
    expect(cuts).toHaveLength(1);
    // On the frame where the picture changes, not merely between the two samples around it.
    expect(Math.abs(cuts[0]! - 3)).toBeLessThanOrEqual(0.15);
    expect(new Set(plan.keyframes.map((k) => k.x)).size).toBe(2);
    await expectFaceWherePlanned('jump', video, workspace, result.segments);
  });

  it('two people, one talking: the crop holds the talking face at least 90% of the time after the hold time', async () => {
    const video = await talkingPairVideo(dir, 8);
    const { workspace, result, record } = await detect('pair', video);
    const plan = onlyCrop(result);
    expect(record.frames.every((f) => f.faces.length === 2)).toBe(true);
    let onSpeaker = 0;
    let total = 0;
    for (let t = DEFAULT_CROP_SETTINGS.holdS; t < video.durationS; t += 0.1) {
      const x = cropAt(plan, t).x;
      total += 1;
      if (video.speakerX > x && video.speakerX < x + plan.width) onSpeaker += 1;
    }
    expect(onSpeaker / total).toBeGreaterThanOrEqual(0.9);
    await expectFaceWherePlanned('pair', video, workspace, result.segments);
  });

  it('split screen: two faces, one in each half, make a side-by-side layout', async () => {
    const video = await splitScreenVideo(dir, 4);
    const { result, record } = await detect('split', video);
    expect(result.segments.map((s) => [s.layout, s.strategy])).toEqual([['side_by_side', 'stack_halves']]);
    expect(record.frames.every((f) => f.faces.length === 2)).toBe(true);
    expect(record.frames[0]!.rule).toBe('two faces, one in each half of a split screen');
  });

  it('screen share: a small face in a corner over a still, detailed slide', async () => {
    const video = await screenShareVideo(dir, 4);
    const { result, record } = await detect('screen', video);
    expect(result.segments).toHaveLength(1);
    expect(result.segments[0]).toMatchObject({ layout: 'screen_share', strategy: 'content_over_speaker' });
    expect(record.frames[0]!.rule).toBe('a small face in a corner over still, detailed content');
    // The speaker box holds the face.
    const box = result.segments[0]!.speakerBox!;
    const face = video.faces(0)[0]!;
    expect(face.x / FACE_VIDEO.width).toBeGreaterThan(box.x);
    expect(face.x / FACE_VIDEO.width).toBeLessThan(box.x + box.w);
    expect(face.y / FACE_VIDEO.height).toBeGreaterThan(box.y);
    expect(face.y / FACE_VIDEO.height).toBeLessThan(box.y + box.h);
  });

  it('a face that comes into an empty shot is found within 2 s, while the empty frames skip the detector', async () => {
    // The tile jumps in at 3 s; it changes too little of the frame to count as a cut.
    const video = await movingFaceVideo(dir, 'enters', 8, jump(-400, 240, 3));
    const { record } = await detect('enters', video);
    const sampled = record.frames as (LayoutFile['frames'][number] & { atS: number })[];
    const firstFace = sampled.findIndex((f) => f.faces.length > 0);
    expect(firstFace).toBeGreaterThan(0);
    expect(sampled[firstFace]!.atS).toBeGreaterThanOrEqual(3);
    expect(sampled[firstFace]!.atS).toBeLessThanOrEqual(5);
    expect(sampled.slice(firstFace).every((f) => f.faces.length === 1)).toBe(true);
    // Before the face: a look every 2 s (4 of the 6 frames before 3 s skipped); after it, every frame
    // is either looked at or has its face followed by the landmark net from the frame before.
    const { detectorFrames, followedFrames } = record as LayoutFile & {
      detectorFrames: number;
      followedFrames: number;
    };
    expect(detectorFrames).toBeLessThan(sampled.length);
    expect(detectorFrames + followedFrames).toBeGreaterThanOrEqual(sampled.length - firstFace);
    expect(followedFrames).toBeGreaterThan(0);
  });

  it('grid: three or more faces', async () => {
    const video = await gridVideo(dir, 4);
    const { result, record } = await detect('grid', video);
    expect(result.segments.map((s) => [s.layout, s.strategy])).toEqual([['grid', 'fit_blur']]);
    expect(record.frames.every((f) => f.faces.length >= 3 && f.rule === 'three or more faces')).toBe(true);
    await sameAsFaceApi(video);
  });
});

/**
 * The model's thread runs the detector on the picture only, not on face-api's padded square
 * (faceWorker.cjs, locateFaces): on these frames it must find what face-api's own detectAllFaces
 * finds, the same boxes, scores and landmarks to the bit, the eyes and mouths read from them too.
 */
async function sameAsFaceApi(video: FaceVideo): Promise<void> {
  const faceapi = await import('@vladmandic/face-api/dist/face-api.node-wasm.js');
  // The bundle's typings leave out the backend calls it has.
  const tf = faceapi.tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
  await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  const [w, h] = [512, 288];
  let faces = 0;
  for (const pixels of await frameSeries(video.file, 0, video.durationS, 2, w, h, 'rgb24')) {
    const image = faceapi.tf.tensor3d(pixels, [h, w, 3], 'int32');
    const expected = await faceapi
      .detectAllFaces(image, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }))
      .withFaceLandmarks();
    image.dispose();
    const found = await detectFaces({ pixels, width: w, height: h });
    expect(found).toHaveLength(expected.length);
    for (const face of expected) {
      const { box, score } = face.detection;
      const same = found.find((f) => f.score === score);
      expect(same?.box).toEqual({ x: box.x / w, y: box.y / h, w: box.width / w, h: box.height / h });
      const eyes = face.landmarks.positions.slice(36, 48);
      expect(same?.eyesY).toBe(eyes.reduce((sum, p) => sum + p.y, 0) / eyes.length / h);
      faces += 1;
    }
  }
  expect(faces).toBeGreaterThanOrEqual(3 * 2);
}
