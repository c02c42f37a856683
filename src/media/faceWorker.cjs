// The face model's own thread (see faceDetector.ts). Plain CommonJS so a worker thread can load it
// without a TypeScript loader (tsx and vitest do not reach into worker threads). It returns the raw
// boxes and 68 landmarks; what they mean for framing is worked out in TypeScript.
'use strict';
const path = require('node:path');
const { parentPort } = require('node:worker_threads');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

let loaded;
function load() {
  loaded ??= (async () => {
    if (!(await faceapi.tf.setBackend('wasm')))
      throw new Error('the TensorFlow.js WebAssembly backend could not start');
    await faceapi.tf.ready();
    const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  })();
  return loaded;
}

async function detect({ pixels, width, height, inputSize, minScore }) {
  const tensor = faceapi.tf.tensor3d(pixels, [height, width, 3], 'int32');
  try {
    const found = await faceapi
      .detectAllFaces(tensor, new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore }))
      .withFaceLandmarks();
    return found.map(({ detection, landmarks }) => ({
      box: { x: detection.box.x, y: detection.box.y, width: detection.box.width, height: detection.box.height },
      score: detection.score,
      points: landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
    }));
  } finally {
    tensor.dispose();
  }
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
