// The face model's own thread (see faceDetector.ts). Plain CommonJS so a worker thread can load it
// without a TypeScript loader (tsx and vitest do not reach into worker threads). It returns the raw
// boxes and 68 landmarks; what they mean for framing is worked out in TypeScript.
'use strict';
const path = require('node:path');
const { parentPort } = require('node:worker_threads');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

/**
 * The WebAssembly backend's Concat copies one `subarray` per run of inner elements. Joining colour
 * channels (face-api subtracts its mean RGB by concatenating three one-channel tensors on every
 * input, detector and landmark net alike) is then one copy call per pixel: measured, ~40 % of the
 * model's CPU per frame. This kernel copies element by element where the runs are short and leaves
 * everything else to the original; the faces found are bit-for-bit the same (checked on the
 * bench's frames; the face tests run through it).
 */
function registerChannelConcat(tf) {
  const original = tf.getKernel('Concat', 'wasm');
  if (!original) return;
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const axis = tf.util.parseAxisParam(attrs.axis, inputs[0].shape)[0];
      const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
      const runs = parts.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
      if (parts.length < 2 || parts[0].dtype === 'string' || Math.max(...runs) > 64) return original.kernelFunc(args);
      const out = backend.makeOutput(
        tf.backend_util.computeOutShape(
          inputs.map((t) => t.shape),
          axis,
        ),
        inputs[0].dtype,
      );
      const sources = parts.map((t) => backend.typedArrayFromHeap(t));
      const target = backend.typedArrayFromHeap(out);
      const outer = tf.util.sizeFromShape(parts[0].shape.slice(0, axis));
      let o = 0;
      for (let b = 0; b < outer; b++) {
        for (let i = 0; i < sources.length; i++) {
          const source = sources[i];
          for (let k = b * runs[i], end = k + runs[i]; k < end; k++) target[o++] = source[k];
        }
      }
      return out;
    },
  });
}

let loaded;
function load() {
  loaded ??= (async () => {
    if (!(await faceapi.tf.setBackend('wasm')))
      throw new Error('the TensorFlow.js WebAssembly backend could not start');
    await faceapi.tf.ready();
    registerChannelConcat(faceapi.tf);
    const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  })();
  return loaded;
}

/** Detection on the whole frame, or only inside `region` (pixels; results in frame pixels). */
async function detect({ pixels, width, height, inputSize, minScore, region }) {
  const frame = faceapi.tf.tensor3d(pixels, [height, width, 3], 'int32');
  const tensor = region ? faceapi.tf.slice3d(frame, [region.y, region.x, 0], [region.height, region.width, 3]) : frame;
  const [dx, dy] = region ? [region.x, region.y] : [0, 0];
  try {
    const detections = await locateFaces(tensor, inputSize, minScore);
    const found = await new faceapi.DetectAllFaceLandmarksTask(
      detections.map((detection) => faceapi.extendWithFaceDetection({}, detection)),
      tensor,
      false,
    ).run();
    return found.map(({ detection, landmarks }) => ({
      box: {
        x: detection.box.x + dx,
        y: detection.box.y + dy,
        width: detection.box.width,
        height: detection.box.height,
      },
      score: detection.score,
      points: landmarks.positions.map((p) => ({ x: p.x + dx, y: p.y + dy })),
    }));
  } finally {
    if (tensor !== frame) tensor.dispose();
    frame.dispose();
  }
}

/** The detector's grid: one output cell per 32×32 input pixels (416 → 13 cells, 160 → 5). */
const CELL = 32;
/**
 * Padding kept below (or beside) the picture, in cells. With none, a face low in a 16:9 frame
 * scored 0.725 instead of face-api's 0.684 and its box moved 1 px: the net's deeper layers reach
 * that far into the padding. With one cell the faces came out the same to the bit.
 */
const MARGIN_CELLS = 1;

/**
 * face-api's tiny face detector (`TinyFaceDetector.locateFaces`), run on the picture only. face-api
 * pads a frame to a square before the net, so 44% of the detector's input at 416 is black padding
 * below a 16:9 picture, convolved like the rest. Here the same padded, resized input is cut one
 * grid cell below the picture (416×288 of 416×416 for 16:9: 31% less of the detector's work), and
 * the grid is read as face-api reads it, with the same arithmetic. Checked against face-api's own
 * detectAllFaces in test/activities/faces.test.ts (grid: faces low in the frame), and the same to
 * the bit on the bench's minute (120 whole frames at 416, 60 regions at 160, 251 faces).
 */
async function locateFaces(image, inputSize, minScore) {
  const net = faceapi.nets.tinyFaceDetector;
  if (inputSize % CELL !== 0) throw new Error(`the detector's input size ${inputSize} is not a multiple of ${CELL}`);
  const netInput = await faceapi.toNetInput(image);
  const out = faceapi.tf.tidy(() => {
    const square = faceapi.tf.cast(netInput.toBatchTensor(inputSize, false), 'float32');
    // The picture's size inside the square, known once toBatchTensor has scaled it.
    const shown = netInput.getReshapedInputDimensions(0);
    const rows = Math.min(inputSize, (Math.ceil(shown.height / CELL) + MARGIN_CELLS) * CELL);
    const cols = Math.min(inputSize, (Math.ceil(shown.width / CELL) + MARGIN_CELLS) * CELL);
    const picture = faceapi.tf.slice(square, [0, 0, 0, 0], [1, rows, cols, 3]);
    return net.runMobilenet(faceapi.normalize(picture, net.config.meanRgb).div(255), net.params);
  });
  let grid;
  try {
    grid = await out.data();
  } finally {
    out.dispose();
  }
  // As face-api's TinyYolov2Base.extractBoxes, on rows × columns of the square's numCells.
  const numCells = inputSize / CELL;
  const [gridRows, gridCols, encoding] = [out.shape[1], out.shape[2], net.boxEncodingSize];
  const anchors = net.config.anchors;
  const shown = netInput.getReshapedInputDimensions(0);
  const correctionFactorX = inputSize / shown.width;
  const correctionFactorY = inputSize / shown.height;
  const boxes = [];
  const scores = [];
  for (let row = 0; row < gridRows; row++) {
    for (let col = 0; col < gridCols; col++) {
      for (let anchor = 0; anchor < anchors.length; anchor++) {
        const at = ((row * gridCols + col) * anchors.length + anchor) * encoding;
        const score = faceapi.sigmoid(grid[at + 4]);
        if (minScore && !(score > minScore)) continue;
        const ctX = ((col + faceapi.sigmoid(grid[at])) / numCells) * correctionFactorX;
        const ctY = ((row + faceapi.sigmoid(grid[at + 1])) / numCells) * correctionFactorY;
        const w = ((Math.exp(grid[at + 2]) * anchors[anchor].x) / numCells) * correctionFactorX;
        const h = ((Math.exp(grid[at + 3]) * anchors[anchor].y) / numCells) * correctionFactorY;
        const x = ctX - w / 2;
        const y = ctY - h / 2;
        boxes.push(new faceapi.BoundingBox(x, y, x + w, y + h));
        scores.push(score);
      }
    }
  }
  const picked = faceapi.nonMaxSuppression(
    boxes.map((box) => box.rescale(inputSize)),
    scores,
    net.config.iouThreshold,
    true,
  );
  const imageDims = { width: netInput.getInputWidth(0), height: netInput.getInputHeight(0) };
  // Through an ObjectDetection as face-api goes (its relativeBox is the pixel box scaled back).
  return picked.map((i) => {
    const found = new faceapi.ObjectDetection(scores[i], scores[i], net.config.classes[0], boxes[i], imageDims);
    return new faceapi.FaceDetection(found.score, found.relativeBox, imageDims);
  });
}

/**
 * The landmark net alone on given boxes (integer pixels inside the frame): the cheap way to follow
 * faces already found (~20 ms a face against ~150 ms for the detector at 416).
 */
async function follow({ pixels, width, height, boxes }) {
  const tensor = faceapi.tf.tensor3d(pixels, [height, width, 3], 'int32');
  let crops = [];
  try {
    crops = await faceapi.extractFaceTensors(
      tensor,
      boxes.map((b) => new faceapi.Rect(b.x, b.y, b.width, b.height)),
    );
    const found = [];
    for (const [i, crop] of crops.entries()) {
      // The full net, as on detections: one net's mouth readings are compared with each other. (The
      // tiny net saved ~0.7 CPU s of ~10 on the bench's minute of two faces: not worth mouths the
      // speaker tests were not tuned on.)
      const landmarks = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
      const { x, y } = boxes[i];
      found.push({ points: landmarks.positions.map((p) => ({ x: p.x + x, y: p.y + y })) });
    }
    return found;
  } finally {
    for (const crop of crops) crop.dispose();
    tensor.dispose();
  }
}

parentPort.on('message', async (request) => {
  try {
    await load();
    const faces = !request.pixels ? [] : request.boxes ? await follow(request) : await detect(request);
    parentPort.postMessage({ id: request.id, faces });
  } catch (err) {
    parentPort.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) });
  }
});
