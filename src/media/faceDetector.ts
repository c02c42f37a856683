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
  /** Where the 68 landmarks sit (fractions of the frame): what `followFaces` moves the box by. */
  shape: LandmarkShape;
}

/** The landmarks' centre and spread (RMS distance from the centre, as a fraction of the frame width). */
export interface LandmarkShape {
  cx: number;
  cy: number;
  spread: number;
}

/** The detector's square input side: 416 finds faces down to ~5% of a 16:9 frame's height. */
const INPUT_SIZE = 416;
/** Below this the tiny detector's boxes are mostly wallpaper and knuckles. */
const MIN_SCORE = 0.5;

type Point = { x: number; y: number };
/** What the landmark net alone answers for a box: its 68 points in frame pixels. */
interface Fitted {
  points: Point[];
}
interface RawFace extends Fitted {
  box: PixelBox;
  score: number;
}
type PixelBox = { x: number; y: number; width: number; height: number };
type Reply = { id: number; faces: RawFace[] } | { id: number; error: string };

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (faces: RawFace[]) => void; reject: (err: Error) => void }>();

/** The model's thread, started on first use; it only keeps the process alive while a request waits. */
function modelThread(): Worker {
  if (worker) return worker;
  // Plain CommonJS needs none of the parent's Node flags. Inherited, tsx's loader (`npm run worker`,
  // tests, benches) hooks every module the model requires: measured, a start cost 0.37–0.49 CPU s
  // without it against 1.10–1.37 with it.
  const thread = new Worker(path.join(__dirname, 'faceWorker.cjs'), { execArgv: [] });
  thread.on('message', (reply: Reply) => {
    const request = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) thread.unref();
    if ('error' in reply) request?.reject(new Error(`face detection failed: ${reply.error}`));
    else request?.resolve(reply.faces);
  });
  const fail = (err: Error) => {
    worker = undefined;
    loading = undefined;
    for (const request of waiting.values()) request.reject(new Error(`the face model's thread failed: ${err.message}`));
    waiting.clear();
  };
  thread.on('error', fail);
  thread.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
  thread.unref();
  worker = thread;
  return thread;
}

/**
 * Detection on the whole frame, or only inside `look.region` at `look.inputSize`, or (with
 * `look.boxes`) the landmark net alone on those boxes.
 */
function ask(
  frame: RgbFrame | undefined,
  look: { boxes?: PixelBox[]; region?: PixelBox; inputSize?: number } = {},
): Promise<RawFace[]> {
  const thread = modelThread();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    thread.ref();
    if (!frame) return thread.postMessage({ id });
    // A copy of just this frame, handed over (a view into a larger buffer would clone all of it).
    const pixels = new Uint8Array(frame.pixels);
    thread.postMessage(
      { id, pixels, width: frame.width, height: frame.height, inputSize: INPUT_SIZE, minScore: MIN_SCORE, ...look },
      [pixels.buffer],
    );
  });
}

/**
 * Loads the backend and weights and runs each net once on a blank frame: the first inferences in a
 * process cost several times the later ones (measured: a first detection 0.5–0.7 CPU s, the fifth
 * 0.1–0.15; after this warm-up, a first detection 0.26–0.32). Once per model thread: LAYOUT starts
 * it beside its first decode, so the first reel a worker analyses pays it (0.75–0.93 CPU s in all).
 */
export function loadFaceModel(): Promise<void> {
  loading ??= (async () => {
    try {
      await ask(undefined);
      const blank = { pixels: new Uint8Array(WARM_UP.width * WARM_UP.height * 3), ...WARM_UP };
      await ask(blank);
      await ask(blank, { boxes: [{ x: 0, y: 0, width: WARM_UP.height, height: WARM_UP.height }] });
    } catch (err) {
      loading = undefined;
      throw new Error(`could not load the face model: ${(err as Error).message}`, { cause: err });
    }
  })();
  return loading;
}
let loading: Promise<void> | undefined;

/** The warm-up frame: LAYOUT's own detector frame size for a 16:9 source. */
const WARM_UP = { width: 512, height: 288 };

/** Every face in the frame with its landmarks, biggest first. */
export async function detectFaces(frame: RgbFrame): Promise<DetectedFace[]> {
  const found = await ask(frame);
  return found.map((face) => describe(face, frame)).sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h);
}

/** The detector's input for a look around one face (a region 3 face boxes wide): ~1/6 the cost of 416. */
const REGION_INPUT_SIZE = 160;

/**
 * The detector again, only around a face it missed on the whole frame (a small face at the edge of
 * its recall is missed now and then): the face it finds there, nearest the box, or null. A face
 * that is truly gone is not found; one the whole-frame look missed usually is, bigger in the region.
 */
export async function confirmFace(frame: RgbFrame, face: DetectedFace): Promise<DetectedFace | null> {
  const { box } = face;
  const region = pixelBox({ x: box.x - box.w, y: box.y - box.h, w: box.w * 3, h: box.h * 3 }, frame);
  if (region.width < 16 || region.height < 16) return null;
  const found = (await ask(frame, { region, inputSize: REGION_INPUT_SIZE })).map((f) => describe(f, frame));
  const centre = (b: Box) => [b.x + b.w / 2, b.y + b.h / 2] as const;
  const [cx, cy] = centre(box);
  const near = found
    .map((f) => ({ f, d: Math.hypot(centre(f.box)[0] - cx, centre(f.box)[1] - cy) }))
    .filter(({ d }) => d < box.w)
    .sort((a, b) => a.d - b.d)[0];
  return near?.f ?? null;
}

/** A followed face whose landmarks grew or shrank more than this between two samples was lost. */
const MAX_SCALE_STEP = 1.35;
/** A face that moved more than this share of its box is fitted again around where it went. */
const REFIT_SHIFT = 0.2;

/**
 * The same faces one sample later, found by the landmark net alone around where each was: the box
 * moves and scales with the landmarks, so it stays the detector's kind of box. A face is null when
 * its landmarks jumped in size (nothing face-like there any more); the caller then asks the
 * detector. Whether a face is still there at all is the caller's check (see patchDifference).
 */
export async function followFaces(frame: RgbFrame, faces: DetectedFace[]): Promise<(DetectedFace | null)[]> {
  const moved = await fitAround(frame, faces);
  const refit = moved.map((face, i) =>
    face &&
    Math.hypot(face.shape.cx - faces[i]!.shape.cx, face.shape.cy - faces[i]!.shape.cy) > REFIT_SHIFT * faces[i]!.box.w
      ? i
      : -1,
  );
  const again = refit.filter((i) => i >= 0);
  if (again.length === 0) return moved;
  const second = await fitAround(
    frame,
    again.map((i) => moved[i]!),
  );
  return moved.map((face, i) => (again.includes(i) ? (second[again.indexOf(i)] ?? null) : face));
}

async function fitAround(frame: RgbFrame, faces: DetectedFace[]): Promise<(DetectedFace | null)[]> {
  const boxes = faces.map((f) => pixelBox(f.box, frame));
  const usable = boxes.map((b) => b.width >= 8 && b.height >= 8);
  const fitted: Fitted[] = await ask(frame, { boxes: boxes.filter((_, i) => usable[i]) });
  let next = 0;
  return faces.map((before, i) => {
    if (!usable[i]) return null;
    const raw = fitted[next++];
    if (!raw) return null;
    const shape = shapeOf(raw.points, frame);
    const scale = shape.spread / Math.max(1e-6, before.shape.spread);
    if (scale > MAX_SCALE_STEP || scale < 1 / MAX_SCALE_STEP) return null;
    // The box keeps its place relative to the landmarks, scaled with them.
    const [bx, by] = [before.box.x + before.box.w / 2, before.box.y + before.box.h / 2];
    const [w, h] = [before.box.w * scale, before.box.h * scale];
    const cx = shape.cx + (bx - before.shape.cx) * scale;
    const cy = shape.cy + (by - before.shape.cy) * scale;
    const box = { x: cx - w / 2, y: cy - h / 2, w, h };
    return { ...measure(raw.points, box, frame), score: before.score };
  });
}

/** A fractional box as whole pixels inside the frame (the crop the landmark net is given). */
function pixelBox(box: Box, frame: RgbFrame): PixelBox {
  const x = Math.max(0, Math.floor(box.x * frame.width));
  const y = Math.max(0, Math.floor(box.y * frame.height));
  const right = Math.min(frame.width, Math.ceil((box.x + box.w) * frame.width));
  const bottom = Math.min(frame.height, Math.ceil((box.y + box.h) * frame.height));
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

const distance = (a: Point | undefined, b: Point | undefined) => (a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0);

function shapeOf(points: Point[], frame: RgbFrame): LandmarkShape {
  const n = Math.max(1, points.length);
  const cx = points.reduce((s, p) => s + p.x, 0) / n;
  const cy = points.reduce((s, p) => s + p.y, 0) / n;
  const spread = Math.sqrt(points.reduce((s, p) => s + (p.x - cx) ** 2 + (p.y - cy) ** 2, 0) / n);
  return { cx: cx / frame.width, cy: cy / frame.height, spread: spread / frame.width };
}

/** Eyes, mouth and shape from the landmarks (pixels) of a face whose box (fractions) is known. */
function measure(points: Point[], box: Box, frame: RgbFrame): Omit<DetectedFace, 'score'> {
  const eyes = points.slice(36, 48);
  const eyesY = eyes.reduce((sum, p) => sum + p.y, 0) / Math.max(1, eyes.length);
  // Inner lips: 61–63 on top face 67–65 below.
  const gap =
    (distance(points[61], points[67]) + distance(points[62], points[66]) + distance(points[63], points[65])) / 3;
  const boxHeightPx = box.h * frame.height;
  return {
    box,
    eyesY: eyesY / frame.height,
    mouthOpen: boxHeightPx > 0 ? gap / boxHeightPx : 0,
    shape: shapeOf(points, frame),
  };
}

function describe({ box, score, points }: RawFace, frame: RgbFrame): DetectedFace {
  const fraction = {
    x: box.x / frame.width,
    y: box.y / frame.height,
    w: box.width / frame.width,
    h: box.height / frame.height,
  };
  return { ...measure(points, fraction, frame), score };
}
