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
 *
 * The model runs synchronously for ~0.1–0.5 s a frame, so it lives on its own worker thread
 * (faceWorker.cjs): the worker's event loop keeps serving heartbeats, workflow tasks and the other
 * activities while a moment's faces are found.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
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

type Point = { x: number; y: number };
interface RawFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  points: Point[];
}
type Reply = { id: number; faces: RawFace[] } | { id: number; error: string };

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (faces: RawFace[]) => void; reject: (err: Error) => void }>();

/** The model's thread, started on first use; it only keeps the process alive while a request waits. */
function modelThread(): Worker {
  if (worker) return worker;
  const thread = new Worker(path.join(__dirname, 'faceWorker.cjs'));
  thread.on('message', (reply: Reply) => {
    const request = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) thread.unref();
    if ('error' in reply) request?.reject(new Error(`face detection failed: ${reply.error}`));
    else request?.resolve(reply.faces);
  });
  const fail = (err: Error) => {
    worker = undefined;
    for (const request of waiting.values()) request.reject(new Error(`the face model's thread failed: ${err.message}`));
    waiting.clear();
  };
  thread.on('error', fail);
  thread.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
  thread.unref();
  worker = thread;
  return thread;
}

function ask(frame: RgbFrame | undefined): Promise<RawFace[]> {
  const thread = modelThread();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    thread.ref();
    if (!frame) return thread.postMessage({ id });
    // A copy of just this frame, handed over (a view into a larger buffer would clone all of it).
    const pixels = new Uint8Array(frame.pixels);
    thread.postMessage(
      { id, pixels, width: frame.width, height: frame.height, inputSize: INPUT_SIZE, minScore: MIN_SCORE },
      [pixels.buffer],
    );
  });
}

/** Loads the backend and weights (once per process, ~0.3 s plus a first-frame warm-up). */
export async function loadFaceModel(): Promise<void> {
  await ask(undefined).catch((err: unknown) => {
    throw new Error(`could not load the face model: ${(err as Error).message}`, { cause: err });
  });
}

const distance = (a: Point | undefined, b: Point | undefined) => (a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0);

/** Every face in the frame with its landmarks, biggest first. */
export async function detectFaces(frame: RgbFrame): Promise<DetectedFace[]> {
  const found = await ask(frame);
  return found
    .map(({ box, score, points }) => {
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
        score,
        eyesY: eyesY / frame.height,
        mouthOpen: box.height > 0 ? gap / box.height : 0,
      };
    })
    .sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h);
}
