/**
 * ASSEMBLY's encode in chunks, resumed after a crash (real ffmpeg, real libass captions): the
 * first attempt is cancelled once its heartbeat details record two finished chunks, the second
 * is given those details and encodes only the rest. The joined reel is checked frame by frame
 * against the same reel rendered by one command (lossless x264, so decoded frames are the filter
 * graph's output): same frames at the same times, the same audio, captions across the joins.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { execFile } from 'node:child_process';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { LayoutSegment } from '../../src/domain/reel';
import { ffmpeg, probe, run } from '../../src/media/ffmpeg';
import { momentAudio, renderReel } from '../../src/media/finalRender';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { renderBase } from '../helpers/render';

const exec = promisify(execFile);
const WINDOW = { startS: 1, endS: 17 };
const REEL_S = WINDOW.endS - WINDOW.startS;
const CHUNK_S = 4;
const FPS = 30;
// Three layouts; the follow crop pans across the chunk boundary at reel 8 s (source 9 s).
const SEGMENTS: LayoutSegment[] = [
  { startS: 1, endS: 6.37, layout: 'speaker_focus', strategy: 'center_crop' },
  {
    startS: 6.37,
    endS: 12.5,
    layout: 'speaker_focus',
    strategy: 'follow_crop',
    track: [
      { t: 7, x: 0.2 },
      { t: 12, x: 0.8 },
    ],
  },
  { startS: 12.5, endS: 17, layout: 'side_by_side', strategy: 'stack_halves' },
];
// Source-time cues; the first two are on screen across the joins at reel 4 s and 8 s.
const CUES = [
  { startS: 3.5, endS: 6.5, text: 'Boats leave the harbour at dawn.' },
  { startS: 7.5, endS: 10.5, text: 'Nobody told us how cold the water was.' },
  { startS: 11, endS: 16.5, text: 'That is why we built the heated hull.' },
];

let dir: string;
let workspace: string;
let planPath: string;
let audioPath: string;
let reference: string;
let activities: ReturnType<typeof createActivities>;

/** Runs an activity in `env`, typed as the activity is. */
const call = <A, R>(env: MockActivityEnvironment, fn: (input: A) => Promise<R>, input: A) =>
  env.run(fn, input) as Promise<R>;

/** Each decoded frame's time and checksum, in order. */
async function frames(file: string): Promise<{ pts: string; md5: string }[]> {
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-']);
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').map((f) => f.trim()))
    .map((f) => ({ pts: f[2]!, md5: f[5]! }));
}

/** A checksum of a file's audio packets (stream copy, so a copied track has the same one). */
async function audioMd5(file: string): Promise<string> {
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-c', 'copy', '-f', 'md5', '-']);
  return stdout.trim();
}

beforeAll(async () => {
  dir = await tempDir('chunks');
  // Lossless, so two renders of the same graph decode to the same frames.
  const config = testConfig(dir, { RENDER_CHUNK_S: String(CHUNK_S), FFMPEG_CRF: '0' });
  activities = createActivities({ config });
  // testsrc2 draws a different picture on every frame: a repeated or skipped frame shows.
  const source = path.join(dir, 'source.mp4');
  await run(
    ffmpeg()
      .input('testsrc2=s=640x360:r=25:d=18')
      .inputOptions(['-f', 'lavfi'])
      .input('sine=f=330:d=18')
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'])
      .output(source),
  );
  workspace = path.join(dir, 'runs', 'chunked');
  const momentPath = path.join(workspace, 'moment.json');
  await exec('mkdir', ['-p', workspace]);
  await writeFile(momentPath, JSON.stringify({ ...WINDOW, score: 1, breakdown: {}, cues: CUES }));
  // FFMPEG_ENGINEER for real (moment audio, captions, render plan), on a small frame to keep it quick.
  const prepared = await call(new MockActivityEnvironment(), activities.renderSegments, {
    workspace,
    source,
    segments: SEGMENTS,
    momentPath,
  });
  planPath = prepared.planPath!;
  audioPath = prepared.audioPath;
  // FFMPEG_ENGINEER encodes nothing: the audio is ASSEMBLY's (or, here, the reference's) to encode.
  await expect(stat(audioPath)).rejects.toThrow();
  const plan = JSON.parse(await readFile(planPath, 'utf8')) as Record<string, unknown>;
  await writeFile(planPath, JSON.stringify({ ...plan, frame: { width: 180, height: 320 } }));
  // The same reel in one ffmpeg command (no chunks), as a reference.
  reference = await renderBase(workspace, config.encoding);
}, 120_000);

describe('chunked render', () => {
  it('resumes after a crash at chunk 2 without encoding the finished chunks again, into the same reel', async () => {
    const chunksDir = path.join(workspace, 'chunks');
    const input = {
      workspace,
      segmentPaths: [],
      audioPath,
      momentPath: path.join(workspace, 'moment.json'),
      clips: [],
      planPath,
    };
    type Details = { attempt: number; chunks: string[] };
    // The reference encoded the moment's audio; without it, ASSEMBLY encodes it beside the chunks.
    const referenceAudio = await audioMd5(reference);
    await rm(audioPath);

    // Attempt 1, cancelled (ffmpeg killed) once its heartbeat records two finished chunks. The next
    // chunk may be written out in the moment the cancellation takes: the attempt ends only once
    // the encode has ended and every chunk it wrote is recorded, so what it recorded last is
    // final, 2 or 3 chunks.
    const first = new MockActivityEnvironment({ attempt: 1 });
    let recorded: Details | undefined;
    first.on('heartbeat', (d: Details) => {
      recorded = d;
      if (d.chunks.length >= 2) first.cancel('CANCELLED');
    });
    await expect(call(first, activities.assembleReel, input)).rejects.toThrow();
    const kept1 = recorded!.chunks.length;
    expect(kept1).toBeGreaterThanOrEqual(2);
    expect(kept1).toBeLessThan(4);
    const kept = await Promise.all(recorded!.chunks.map((c) => stat(path.join(chunksDir, c))));
    // Nothing else was completed; the half-written chunk is under its own temporary name.
    const names = await readdir(chunksDir);
    expect(names.filter((n) => n.startsWith('chunk-')).sort()).toEqual([...recorded!.chunks].sort());

    // Attempt 2 with the details the server kept from attempt 1.
    const second = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: recorded });
    const seen: string[][] = [];
    const unchanged: boolean[] = [];
    second.on('heartbeat', (d: Details) => {
      if (seen.length === 0 || d.chunks.length > seen[seen.length - 1]!.length) {
        seen.push(d.chunks);
        // Attempt 1's chunks are the same files, untouched, while attempt 2 renders.
        void Promise.all(recorded!.chunks.map((c) => stat(path.join(chunksDir, c)))).then((now) =>
          unchanged.push(now.every((s, i) => s.ino === kept[i]!.ino && s.mtimeMs === kept[i]!.mtimeMs)),
        );
      }
    });
    const result = await call(second, activities.assembleReel, input);
    expect(seen.map((c) => c.length)).toEqual(Array.from({ length: 5 - kept1 }, (_, i) => kept1 + i));
    expect(seen[0]!.slice(0, kept1)).toEqual(recorded!.chunks);
    expect(unchanged.length).toBeGreaterThan(0);
    expect(unchanged.every(Boolean)).toBe(true);
    const record = JSON.parse(await readFile(path.join(workspace, 'render.json'), 'utf8')) as {
      chunks: { chunks: number; encoded: number; reused: number };
    };
    expect(record.chunks).toEqual({ chunks: 4, encoded: 4 - kept1, reused: kept1 });
    // The chunks are gone once the reel is in place.
    await expect(stat(chunksDir)).rejects.toThrow();

    // The joined reel: as long as the moment, frame for frame the one-command render.
    const reel = await probe(result.reelPath);
    expect(Math.abs(reel.durationS - REEL_S)).toBeLessThanOrEqual(1 / FPS);
    const [joined, whole] = await Promise.all([frames(result.reelPath), frames(reference)]);
    expect(joined).toHaveLength(REEL_S * FPS);
    expect(joined.map((f) => f.pts)).toEqual(whole.map((f) => f.pts));
    // Every frame is the reference's, with two exceptions. 25 fps shown at 30: where a source
    // frame sits exactly halfway between two output frames, ffmpeg's rounding may pick the other,
    // equally near one (a neighbour's frame). And libass reads each frame's time in whole milliseconds: a source frame exactly on a caption
    // event's start may round to either side of it (seen: one frame highlighting the next word).
    const ass = await readFile(path.join(workspace, 'reel.ass'), 'utf8');
    const eventStarts = [...ass.matchAll(/^Dialogue: \d+,(\d+):(\d+):([\d.]+),/gm)].map(
      (m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]),
    );
    const onEventStart = (j: number) => eventStarts.some((t) => Math.abs(j / FPS - t) <= 1 / 25 + 1 / FPS);
    const differing = joined.map((f, j) => (f.md5 === whole[j]!.md5 ? -1 : j)).filter((j) => j >= 0);
    const unexplained = differing.filter(
      (j) => joined[j]!.md5 !== whole[j - 1]?.md5 && joined[j]!.md5 !== whole[j + 1]?.md5 && !onEventStart(j),
    );
    expect(differing.length).toBeLessThan(joined.length / 4);
    expect(unexplained).toEqual([]);
    // No more frames repeat than in the reference: none frozen or doubled at a join.
    const repeats = (list: { md5: string }[]) => list.filter((f, j) => j > 0 && f.md5 === list[j - 1]!.md5).length;
    expect(repeats(joined)).toBe(repeats(whole));
    // The frames on both sides of each join are the reference's (captions on screen over the join).
    for (const join of [4, 8, 12]) {
      for (const j of [join * FPS - 1, join * FPS]) expect(joined[j]!.md5).toBe(whole[j]!.md5);
    }
    // The same audio track (encoded again, by ASSEMBLY: the AAC encoder is deterministic), copied
    // once, as long as the picture.
    expect(await audioMd5(result.reelPath)).toBe(referenceAudio);
    expect((await stat(audioPath)).size).toBeGreaterThan(0);
  }, 240_000);

  // A 12 s reel of 3 chunks, with a hard cut 2.5 s into the last (reel 10.5 s): x264 starts a new
  // GOP there by itself.
  const cutReel = () => ({
    source: path.join(dir, 'source.mp4'),
    sourceWidth: 640,
    sourceHeight: 360,
    segments: [
      { startS: 1, endS: 11.5, layout: 'speaker_focus', strategy: 'center_crop' },
      { startS: 11.5, endS: 13, layout: 'side_by_side', strategy: 'stack_halves' },
    ] satisfies LayoutSegment[],
    transition: 'cut' as const,
    frame: { width: 180, height: 320 },
  });

  it('encodes a lone missing chunk as one chunk, even with a keyframe of its own inside it', async () => {
    const input = cutReel();
    const lone = path.join(dir, 'lone');
    const chunksDir = path.join(lone, 'chunks');
    const audio = momentAudio({ ...input, audioPath: path.join(lone, 'audio.m4a') });
    const encoding = { preset: 'veryfast', crf: 0, threads: 0 };
    const render = (attempt: number, done: string[], output: string) => {
      const recorded: string[][] = [];
      const report = renderReel(input, { cutaways: [], images: [] }, audio, output, encoding, {
        chunks: { dir: chunksDir, attempt, done, chunkS: CHUNK_S, onChunk: (d) => recorded.push(d) },
      });
      return report.then((r) => ({ report: r, recorded }));
    };
    const whole = await render(1, [], path.join(lone, 'whole.mp4'));
    expect(whole.report).toEqual({ chunks: 3, encoded: 3, reused: 0 });
    const [a, b, c] = whole.recorded[2]!;
    expect(await frames(path.join(lone, 'whole.mp4'))).toHaveLength(12 * FPS);
    // The last chunk had a keyframe of its own (the cut), besides its first frame.
    const keyframes = await exec('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,flags', '-of', 'csv'],
      path.join(chunksDir, c!),
    ]);
    expect(keyframes.stdout.split('\n').filter((l) => l.includes(',K')).length).toBeGreaterThan(1);

    // The last chunk lost (a crash while it was encoded): the retry encodes it alone, as one chunk.
    await rm(path.join(chunksDir, c!));
    const retry = await render(2, [a!, b!], path.join(lone, 'retried.mp4'));
    expect(retry.report).toEqual({ chunks: 3, encoded: 1, reused: 2 });
    expect(retry.recorded[retry.recorded.length - 1]!.sort()).toEqual([a, b, c].sort());
    expect((await readdir(chunksDir)).filter((n) => n.startsWith('chunk-')).sort()).toEqual([a, b, c].sort());
    expect(await frames(path.join(lone, 'retried.mp4'))).toEqual(await frames(path.join(lone, 'whole.mp4')));
  }, 120_000);

  it('joins chunks with B-frames (a lossy encode, as reels are made) without a gap in time', async () => {
    // Lossless x264 above makes no B-frames. With them, the first chunk's packets start before
    // zero: that must not stretch its length where the next chunk joins (seen: 2 frames of time).
    const input = cutReel();
    const out = path.join(dir, 'b-frames');
    const audio = momentAudio({ ...input, audioPath: path.join(out, 'audio.m4a') });
    const report = await renderReel(
      input,
      { cutaways: [], images: [] },
      audio,
      path.join(out, 'reel.mp4'),
      { preset: 'veryfast', crf: 23, threads: 0 },
      { chunks: { dir: path.join(out, 'chunks'), attempt: 1, done: [], chunkS: CHUNK_S, onChunk: () => undefined } },
    );
    expect(report.chunks).toBe(3);
    const { stdout } = await exec('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=has_b_frames', '-of', 'csv=p=0'],
      path.join(out, 'reel.mp4'),
    ]);
    expect(Number(stdout.trim())).toBeGreaterThan(0);
    const pts = (await frames(path.join(out, 'reel.mp4'))).map((f) => Number(f.pts));
    expect(pts).toHaveLength(12 * FPS);
    // Every frame one frame after the one before, across both joins.
    expect(new Set(pts.slice(1).map((p, j) => p - pts[j]!))).toEqual(new Set([pts[1]! - pts[0]!]));
    expect(Math.abs((await probe(path.join(out, 'reel.mp4'))).durationS - 12)).toBeLessThanOrEqual(1 / FPS);
  }, 120_000);
});
