import { writeFile } from 'node:fs/promises';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';

/**
 * Joins clips that share codec settings by stream copy (no re-encode), through the concat demuxer.
 * `listFile` is where the demuxer's input list is written. With `audio`, the joined clips' video
 * is muxed with that file's audio (also copied), cut to `durationS` when given.
 */
export async function concatCopy(
  inputs: string[],
  output: string,
  listFile: string,
  options: RunOptions = {},
  audio?: { path: string; durationS?: number },
): Promise<void> {
  if (inputs.length === 0) throw new Error('concatCopy needs at least one input');
  // The demuxer's list syntax: one `file '<path>'` per line, single quotes escaped.
  const list = inputs.map((file) => `file '${file.replace(/'/g, `'\\''`)}'`).join('\n');
  await writeFile(listFile, `${list}\n`);
  const command = ffmpeg().input(listFile).inputOptions(['-f', 'concat', '-safe', '0']);
  if (audio) command.input(audio.path);
  command
    .outputOptions([
      ...(audio ? ['-map', '0:v:0', '-map', '1:a:0'] : []),
      '-c',
      'copy',
      ...(audio?.durationS ? ['-t', audio.durationS.toFixed(3)] : []),
      '-movflags',
      '+faststart',
    ])
    .output(output);
  await run(command, options);
}
