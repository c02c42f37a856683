/**
 * Faces in raw RGB frames, with the 68 landmarks reduced to what framing needs: where the face is,
 * where the eyes are, and how open the mouth is.
 *
 * The model is face-api's tiny face detector plus its 68-point landmark net, whose weights ship in
 * the npm package `@vladmandic/face-api` (`model/`), run on TensorFlow.js's WebAssembly backend
 * (`@tensorflow/tfjs-backend-wasm`, whose .wasm files ship in its package). Nothing is downloaded
 * at run time and nothing native is built: `@tensorflow/tfjs-node` would download libtensorflow.
 * The tiny detector is ~5x faster than SSD MobileNet here and found the same faces on the test
 * photographs; framing needs many frames more than it needs the last few percent of recall.
 */
import path from 'node:path';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import type { Box } from '../domain/reel';

export interface RgbFrame {
  /** width × height × 3 bytes, row by row. */
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface DetectedFace {
  /** The face box as fractions of the frame. */
  box: Box;
  /** The detector's confidence, 0..1. */
  score: number;
  /** Height of the eyes' centre line, as a fraction of the frame height. */
  eyesY: number;
  /** Gap between the inner lips over the face box height (0 closed; ~0.1 wide open). */
  mouthOpen: number;
}

/** The detector's square input side: 416 finds faces down to ~5% of a 16:9 frame's height. */
const INPUT_SIZE = 416;
/** Below this the tiny detector's boxes are mostly wallpaper and knuckles. */
const MIN_SCORE = 0.5;

let loaded: Promise<void> | undefined;

/** Loads the backend and weights once per process (~0.3 s); later calls reuse them. */
export function loadFaceModel(): Promise<void> {
  loaded ??= (async () => {
    const tf = faceapi.tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
    if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js WebAssembly backend could not start');
    await tf.ready();
    const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  })().catch((err: unknown) => {
    loaded = undefined;
    throw new Error(`could not load the face model: ${(err as Error).message}`, { cause: err });
  });
  return loaded;
}

type Point = { x: number; y: number };
const distance = (a: Point | undefined, b: Point | undefined) => (a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0);

/** Every face in the frame with its landmarks, biggest first. */
export async function detectFaces(frame: RgbFrame): Promise<DetectedFace[]> {
  await loadFaceModel();
  const tensor = faceapi.tf.tensor3d(frame.pixels, [frame.height, frame.width, 3], 'int32');
  try {
    const found = await faceapi
      .detectAllFaces(
        tensor as unknown as faceapi.TNetInput,
        new faceapi.TinyFaceDetectorOptions({ inputSize: INPUT_SIZE, scoreThreshold: MIN_SCORE }),
      )
      .withFaceLandmarks();
    return found
      .map(({ detection, landmarks }) => {
        const box = detection.box;
        const points = landmarks.positions;
        const eyes = points.slice(36, 48);
        const eyesY = eyes.reduce((sum, p) => sum + p.y, 0) / Math.max(1, eyes.length);
        // Inner lips: 61–63 on top face 67–65 below.
        const gap =
          (distance(points[61], points[67]) + distance(points[62], points[66]) + distance(points[63], points[65])) / 3;
        return {
          box: {
            x: box.x / frame.width,
            y: box.y / frame.height,
            w: box.width / frame.width,
            h: box.height / frame.height,
          },
          score: detection.score,
          eyesY: eyesY / frame.height,
          mouthOpen: box.height > 0 ? gap / box.height : 0,
        };
      })
      .sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h);
  } finally {
    tensor.dispose();
  }
}
