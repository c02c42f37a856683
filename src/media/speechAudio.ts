/** The source's speech as a small audio file for transcription. */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';

/**
 * Writes the first audio stream of `source` to `output` as mono 16 kHz: mp3 at 32 kbit/s (enough
 * for speech, about 14 MB an hour, and a format Gemini takes inline), or lossless FLAC when
 * `output` ends in `.flac` (for the local speech model, which gains from every detail). Written as
 * `.part` and renamed, so an existing `output` is a finished one and is reused.
 */
export async function extractSpeechAudio(source: string, output: string, options: RunOptions = {}): Promise<string> {
  const done = await stat(output).then(
    (s) => s.size > 0,
    () => false,
  );
  if (done) return output;
  await mkdir(path.dirname(output), { recursive: true });
  const part = `${output}.part`;
  try {
    await run(
      ffmpeg(source)
        .outputOptions(['-map', '0:a:0', '-vn', '-ac', '1', '-ar', '16000'])
        .outputOptions(
          path.extname(output) === '.flac'
            ? ['-c:a', 'flac', '-f', 'flac']
            : ['-c:a', 'libmp3lame', '-b:a', '32k', '-f', 'mp3'],
        )
        .output(part),
      options,
    );
    await rename(part, output);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  return output;
}
