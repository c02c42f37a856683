/**
 * What LAYOUT_DETECTIVE costs per minute of moment now that it looks for faces: the whole analysis
 * (one decode of the sampled frames, faces detected on some and followed by the landmark net on
 * the rest, tracking, speech activity, seam measures, crop planning) next to a plain ffmpeg decode
 * of the same frames at the same size, in wall and CPU time, and the process's peak memory. Alone:
 * `npx tsx bench/layout.ts` (`BENCH_LAYOUT_S` sets the moment's length). The source is a 60 s
 * 1280x720 wide shot of two real faces (the test photographs), one of them talking.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { REEL_HEIGHT, REEL_WIDTH } from '../src/media/encoding';
import { loadFaceModel } from '../src/media/faceDetector';
import { ffmpeg, frameSeries, probe, run } from '../src/media/ffmpeg';
import { analyseLayout, DETECT_WIDTH, SAMPLE_INTERVAL_S } from '../src/media/layoutAnalysis';
import { talkingPairVideo } from '../test/helpers/faceVideos';

export interface LayoutMeasurement {
  momentSeconds: number;
  source: string;
  framesSampled: number;
  /** Frames the whole-frame detector looked at, and frames whose faces the landmark net followed. */
  detectorFrames: number;
  followedFrames: number;
  decodeMs: number;
  layoutMs: number;
  /** CPU of this process (all its threads: the model's too) and of its ffmpeg children. */
  decodeCpuMs: number;
  layoutCpuMs: number;
  /** LAYOUT's CPU as a multiple of the plain decode's CPU (the machine is shared: CPU is the steadier figure). */
  layoutCpuPerDecode: number;
  layoutMsPerMinute: number;
  /** The analysis as a multiple of the plain decode of the same frames. */
  layoutPerDecode: number;
  modelLoadMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

const elapsed = async (work: () => Promise<unknown>): Promise<number> => (await timed(work)).wallMs;

/** CPU ms of this process and of its waited-for children (ffmpeg), from /proc: clock ticks of 10 ms. */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command: state is field 3, so utime..cstime (fields 14–17) are at 11..14.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10;
}

async function timed(work: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const [start, cpu] = [performance.now(), cpuMs()];
  await work();
  const wallMs = Math.round(performance.now() - start);
  // A child's CPU is counted once it is reaped, which can come just after its output ends.
  await sleep(300);
  return { wallMs, cpuMs: cpuMs() - cpu };
}
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
  const decode = await timed(async () => {
    framesSampled = (await frameSeries(file, 0, seconds, SAMPLE_INTERVAL_S, DETECT_WIDTH, height, 'rgb24')).length;
  });
  let looks = { detectorFrames: 0, followedFrames: 0 };
  const layout = await timed(async () => {
    looks = await analyseLayout({
      source: file,
      sourceWidth: info.video!.width,
      sourceHeight: info.video!.height,
      hasAudio: Boolean(info.audio),
      startS: 0,
      endS: seconds,
      aspect: REEL_WIDTH / REEL_HEIGHT,
    });
  });
  return {
    momentSeconds: seconds,
    source: `${info.video!.width}x${info.video!.height} H.264, two faces`,
    framesSampled,
    detectorFrames: looks.detectorFrames,
    followedFrames: looks.followedFrames,
    decodeMs: decode.wallMs,
    layoutMs: layout.wallMs,
    decodeCpuMs: decode.cpuMs,
    layoutCpuMs: layout.cpuMs,
    layoutMsPerMinute: Math.round(layout.wallMs / (seconds / 60)),
    layoutPerDecode: Math.round((layout.wallMs / Math.max(1, decode.wallMs)) * 10) / 10,
    layoutCpuPerDecode: Math.round((layout.cpuMs / Math.max(1, decode.cpuMs)) * 10) / 10,
    modelLoadMs,
    rssBeforeMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

if (require.main === module) {
  (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-layout-'));
    console.log(JSON.stringify(await measureLayout(dir, Number(process.env.BENCH_LAYOUT_S ?? 60)), null, 2));
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
