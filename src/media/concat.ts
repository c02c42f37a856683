import { writeFile } from 'node:fs/promises';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';

/**
 * Joins clips that share codec settings by stream copy (no re-encode), through the concat demuxer.
 * `listFile` is where the demuxer's input list is written.
 */
export async function concatCopy(
  inputs: string[],
  output: string,
  listFile: string,
  options: RunOptions = {},
): Promise<void> {
  if (inputs.length === 0) throw new Error('concatCopy needs at least one input');
  // The demuxer's list syntax: one `file '<path>'` per line, single quotes escaped.
  const list = inputs.map((file) => `file '${file.replace(/'/g, `'\\''`)}'`).join('\n');
  await writeFile(listFile, `${list}\n`);
  const command = ffmpeg()
    .input(listFile)
    .inputOptions(['-f', 'concat', '-safe', '0'])
    .outputOptions(['-c', 'copy', '-movflags', '+faststart'])
    .output(output);
  await run(command, options);
}
