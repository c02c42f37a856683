/**
 * What LAYOUT_DETECTIVE costs per minute of moment now that it looks for faces: the whole analysis
 * (one decode of the sampled frames, face detection and landmarks on each, tracking, speech
 * activity, seam measures, crop planning) next to a plain ffmpeg decode of the same frames, and
 * the process's peak memory. The source is a 60 s 1280x720 wide shot of two real faces (the
 * test photographs), one of them talking.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REEL_HEIGHT, REEL_WIDTH } from '../src/media/encoding';
import { loadFaceModel } from '../src/media/faceDetector';
import { ffmpeg, frameSeries, probe, run } from '../src/media/ffmpeg';
import { analyseLayout, DETECT_WIDTH, SAMPLE_INTERVAL_S } from '../src/media/layoutAnalysis';
import { talkingPairVideo } from '../test/helpers/faceVideos';

export interface LayoutMeasurement {
  momentSeconds: number;
  source: string;
  framesSampled: number;
  decodeMs: number;
  layoutMs: number;
  layoutMsPerMinute: number;
  /** The analysis as a multiple of the plain decode of the same frames. */
  layoutPerDecode: number;
  modelLoadMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return Math.round(performance.now() - start);
};
const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

export async function measureLayout(dir: string, seconds = 60): Promise<LayoutMeasurement> {
  const small = await talkingPairVideo(dir, seconds);
  const file = path.join(dir, 'talking-pair-720p.mp4');
  await run(
    ffmpeg(small.file)
      .outputOptions(['-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'copy'])
      .output(file),
  );
  const info = await probe(file);
  const rssBeforeMb = mb(process.memoryUsage().rss);
  const modelLoadMs = await elapsed(() => loadFaceModel());
  const height = Math.round((DETECT_WIDTH * 720) / 1280 / 2) * 2;
  let framesSampled = 0;
  const decodeMs = await elapsed(async () => {
    framesSampled = (await frameSeries(file, 0, seconds, SAMPLE_INTERVAL_S, DETECT_WIDTH, height, 'rgb24')).length;
  });
  const layoutMs = await elapsed(() =>
    analyseLayout({
      source: file,
      sourceWidth: info.video!.width,
      sourceHeight: info.video!.height,
      hasAudio: Boolean(info.audio),
      startS: 0,
      endS: seconds,
      aspect: REEL_WIDTH / REEL_HEIGHT,
    }),
  );
  return {
    momentSeconds: seconds,
    source: `${info.video!.width}x${info.video!.height} H.264, two faces`,
    framesSampled,
    decodeMs,
    layoutMs,
    layoutMsPerMinute: Math.round(layoutMs / (seconds / 60)),
    layoutPerDecode: Math.round((layoutMs / Math.max(1, decodeMs)) * 10) / 10,
    modelLoadMs,
    rssBeforeMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
