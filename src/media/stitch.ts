/**
 * Joining scene clips into one video: by stream copy when there is no crossfade (no re-encode, so
 * nothing is lost and it is fast), or with xfade (and acrossfade when the clips carry sound).
 */
import { concatCopy } from './concat';
import type { EncodingSettings } from './encoding';
import { videoOutputOptions } from './encoding';
import type { MediaProbe } from './ffmpeg';
import { ffmpeg, probe, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';

/** The xfade (and acrossfade) graph for clips of the given durations; outputs [v] (and [a]). */
export function crossfadeFilter(durations: number[], crossfadeS: number, withAudio: boolean): string {
  const parts: string[] = [];
  let video = '0:v';
  let audio = '0:a';
  let offset = 0;
  for (let i = 1; i < durations.length; i++) {
    offset += (durations[i - 1] ?? 0) - crossfadeS;
    const last = i === durations.length - 1;
    const v = last ? 'v' : `v${i}`;
    parts.push(`[${video}][${i}:v]xfade=transition=fade:duration=${crossfadeS}:offset=${offset.toFixed(3)}[${v}]`);
    video = v;
    if (withAudio) {
      const a = last ? 'a' : `a${i}`;
      parts.push(`[${audio}][${i}:a]acrossfade=d=${crossfadeS}[${a}]`);
      audio = a;
    }
  }
  return parts.join(';');
}

export async function stitchClips(
  clips: string[],
  output: string,
  options: { crossfadeS: number; encoding: EncodingSettings; listFile: string },
  runOptions: RunOptions = {},
): Promise<void> {
  if (clips.length === 0) throw new Error('there are no clips to stitch');
  if (options.crossfadeS <= 0 || clips.length === 1) {
    await concatCopy(clips, output, options.listFile, runOptions);
    return;
  }
  const infos: MediaProbe[] = await Promise.all(clips.map((clip) => probe(clip)));
  const withAudio = infos.every((info) => info.audio);
  const durations = infos.map((info) => info.durationS);
  const command = ffmpeg();
  for (const clip of clips) command.input(clip);
  const total = durations.reduce((a, b) => a + b, 0) - options.crossfadeS * (clips.length - 1);
  command
    .complexFilter(crossfadeFilter(durations, options.crossfadeS, withAudio))
    .outputOptions([
      '-map',
      '[v]',
      ...(withAudio ? ['-map', '[a]', '-c:a', 'aac'] : ['-an']),
      ...videoOutputOptions(options.encoding, Math.round(infos[0]?.video?.fps || 24)),
      '-movflags',
      '+faststart',
    ])
    .output(output);
  await run(command, { expectedDurationS: total, ...runOptions });
}
