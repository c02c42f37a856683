/**
 * Stream-copy stitching against a re-encode of the same clips, measured alternately in one run so
 * machine noise hits both sides alike.
 */
import path from 'node:path';
import { concatCopy } from '../src/media/concat';
import { videoOutputOptions } from '../src/media/encoding';
import { ffmpeg, probe, run } from '../src/media/ffmpeg';
import { renderPromptClip } from '../src/media/promptClip';

export interface StitchMeasurement {
  clips: number;
  clipSeconds: number;
  rounds: number;
  streamCopyMs: number;
  reencodeMs: number;
  /** How many times faster stream copy was (median over rounds). */
  speedup: number;
  durationsMatch: boolean;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function reencode(clips: string[], output: string): Promise<void> {
  const command = ffmpeg();
  for (const clip of clips) command.input(clip);
  const inputs = clips.map((_, i) => `[${i}:v]`).join('');
  command
    .complexFilter(`${inputs}concat=n=${clips.length}:v=1:a=0[v]`)
    .outputOptions(['-map', '[v]', ...videoOutputOptions({ preset: 'veryfast', crf: 23, threads: 0 }, 24)])
    .output(output);
  await run(command);
}

export async function measureStitch(
  dir: string,
  clipCount = 6,
  clipSeconds = 8,
  rounds = 3,
): Promise<StitchMeasurement> {
  const clips: string[] = [];
  for (let i = 0; i < clipCount; i++) {
    const clip = path.join(dir, `clip-${i}.mp4`);
    await renderPromptClip({
      prompt: `bench scene ${i}`,
      durationS: clipSeconds,
      width: 1280,
      height: 720,
      output: clip,
    });
    clips.push(clip);
  }
  const copyTimes: number[] = [];
  const encodeTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let t = Date.now();
    await concatCopy(clips, path.join(dir, 'copy.mp4'), path.join(dir, 'list.txt'));
    copyTimes.push(Date.now() - t);
    t = Date.now();
    await reencode(clips, path.join(dir, 'encoded.mp4'));
    encodeTimes.push(Date.now() - t);
  }
  const [copied, encoded] = await Promise.all([
    probe(path.join(dir, 'copy.mp4')),
    probe(path.join(dir, 'encoded.mp4')),
  ]);
  const streamCopyMs = median(copyTimes);
  const reencodeMs = median(encodeTimes);
  return {
    clips: clipCount,
    clipSeconds,
    rounds,
    streamCopyMs,
    reencodeMs,
    speedup: Math.round((reencodeMs / Math.max(1, streamCopyMs)) * 10) / 10,
    durationsMatch: Math.abs(copied.durationS - encoded.durationS) < 0.2,
  };
}
