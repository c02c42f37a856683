/**
 * What LAYOUT_DETECTIVE costs per minute of moment now that it looks for faces: the whole analysis
 * (one decode of the sampled frames, faces detected on some and followed by the landmark net on
 * the rest, tracking, speech activity, seam measures, crop planning) next to a plain ffmpeg decode
 * of the same frames at the same size, in wall and CPU time, and the process's peak memory. Alone:
 * `npx tsx bench/layout.ts` (`BENCH_LAYOUT_S` sets the moment's length). The source is a 60 s
 * 1280x720 wide shot of two real faces (the test photographs), one of them talking.
 *
 * Next to it, the floor: the model's inference alone on the work LAYOUT gave it (its detector
 * frames × one whole-frame detection, its followed faces × one landmark fit, each timed on its own
 * on a frame of the same video), plus the plain decode. LAYOUT can not cost less than that with
 * this model, so `floorPerDecode` says how much of the 1.5× target the model alone already takes.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { REEL_HEIGHT, REEL_WIDTH } from '../src/media/encoding';
import { detectFaces, followFaces, loadFaceModel } from '../src/media/faceDetector';
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
  /** Faces the landmark net fitted on followed frames, and faces kept as they were (their patch unchanged). */
  followedFaces: number;
  stillFaces: number;
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
  /** One whole-frame detection (with its faces' landmarks), and one landmark fit of one face, CPU ms. */
  detectCpuMs: number;
  landmarkCpuMs: number;
  /** detectorFrames × detectCpuMs + followedFaces × landmarkCpuMs: the model's own share of LAYOUT. */
  inferenceCpuMs: number;
  /** The decode plus that inference: what LAYOUT costs at the least with this model. */
  floorCpuMs: number;
  floorPerDecode: number;
  /** LAYOUT's CPU over the floor: what the analysis adds around decode and model. */
  layoutCpuPerFloor: number;
  /** loadFaceModel before LAYOUT is timed: the load and the warm-up, once per process. */
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
  let looks = { detectorFrames: 0, followedFrames: 0, followedFaces: 0, stillFaces: 0 };
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
  const costs = await modelCosts(file, height);
  const inferenceCpuMs = Math.round(
    looks.detectorFrames * costs.detectCpuMs + looks.followedFaces * costs.landmarkCpuMs,
  );
  const floorCpuMs = decode.cpuMs + inferenceCpuMs;
  return {
    momentSeconds: seconds,
    source: `${info.video!.width}x${info.video!.height} H.264, two faces`,
    framesSampled,
    detectorFrames: looks.detectorFrames,
    followedFrames: looks.followedFrames,
    followedFaces: looks.followedFaces,
    stillFaces: looks.stillFaces,
    decodeMs: decode.wallMs,
    layoutMs: layout.wallMs,
    decodeCpuMs: decode.cpuMs,
    layoutCpuMs: layout.cpuMs,
    layoutMsPerMinute: Math.round(layout.wallMs / (seconds / 60)),
    layoutPerDecode: Math.round((layout.wallMs / Math.max(1, decode.wallMs)) * 10) / 10,
    layoutCpuPerDecode: Math.round((layout.cpuMs / Math.max(1, decode.cpuMs)) * 10) / 10,
    detectCpuMs: costs.detectCpuMs,
    landmarkCpuMs: costs.landmarkCpuMs,
    inferenceCpuMs,
    floorCpuMs,
    floorPerDecode: Math.round((floorCpuMs / Math.max(1, decode.cpuMs)) * 10) / 10,
    layoutCpuPerFloor: Math.round((layout.cpuMs / Math.max(1, floorCpuMs)) * 100) / 100,
    modelLoadMs,
    rssBeforeMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/**
 * The model's cost per call, timed alone on frames of the same video (the middle of the moment,
 * where both faces are in view): a whole-frame detection, and the landmark net on one face's box.
 * Median of a few calls each, in this process's CPU (the model's thread is one of its threads).
 */
async function modelCosts(file: string, height: number): Promise<{ detectCpuMs: number; landmarkCpuMs: number }> {
  const frames = await frameSeries(file, 20, 4, SAMPLE_INTERVAL_S, DETECT_WIDTH, height, 'rgb24');
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const detect: number[] = [];
  const landmark: number[] = [];
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  for (const pixels of frames) {
    const frame = { pixels, width: DETECT_WIDTH, height };
    const d = cpu();
    const faces = await detectFaces(frame);
    detect.push(cpu() - d);
    for (const face of faces) {
      const f = cpu();
      await followFaces(frame, [face]);
      landmark.push(cpu() - f);
    }
  }
  return {
    detectCpuMs: Math.round(median(detect)),
    landmarkCpuMs: Math.round(landmark.length > 0 ? median(landmark) : 0),
  };
}

/**
 * LAYOUT next to its floor, in words: the plain decode, the model's inference alone on the same
 * work, their sum, and LAYOUT, in CPU seconds (for bench/run.ts's note as well).
 */
export function layoutAgainstFloor(m: LayoutMeasurement): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return [
    `LAYOUT ${s(m.layoutCpuMs)} CPU s (${m.layoutCpuPerDecode}x the decode), wall ${s(m.layoutMs)} s (${m.layoutPerDecode}x).`,
    `Floor ${s(m.floorCpuMs)} CPU s (${m.floorPerDecode}x the decode): decode ${s(m.decodeCpuMs)}`,
    `+ inference ${s(m.inferenceCpuMs)} (${m.detectorFrames} detector frames x ${m.detectCpuMs} ms`,
    `+ ${m.followedFaces} followed faces x ${m.landmarkCpuMs} ms; ${m.stillFaces} kept their fit).`,
    `LAYOUT is ${m.layoutCpuPerFloor}x its floor.`,
  ].join(' ');
}

if (require.main === module) {
  (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-layout-'));
    const measured = await measureLayout(dir, Number(process.env.BENCH_LAYOUT_S ?? 60));
    console.log(JSON.stringify(measured, null, 2));
    console.log(layoutAgainstFloor(measured));
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
