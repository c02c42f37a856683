import { ffmpeg, run } from './ffmpeg';

/** Writes subtitle stream `streamIndex` of `file` as SRT. */
export async function extractSubtitleStream(file: string, streamIndex: number, output: string): Promise<void> {
  await run(
    ffmpeg(file)
      .outputOptions(['-map', `0:${streamIndex}`, '-c:s', 'srt', '-f', 'srt'])
      .output(output),
  );
}
