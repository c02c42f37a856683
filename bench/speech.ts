/**
 * Local speech-to-text speed: the speech worker's code (speech/reelflow_speech/bench.py, the same
 * activity code outside Temporal) on a 10-minute espeak-ng recording, with its default settings
 * (Whisper base, int8, SPEECH_PARALLEL chunks at once). Reports × real time, the time to the first
 * finished chunk and the worker's peak memory. BENCH_SPEECH_S sets the length; 0 skips it.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PODCAST_LINES } from '../src/dev/podcastScript';
import { SPEECH_PATHS, speechEnvReady } from '../src/dev/speechEnv';
import { ffmpeg, run } from '../src/media/ffmpeg';

const exec = promisify(execFile);

export interface SpeechMeasurement {
  audioSeconds: number;
  chunks: number;
  words: number;
  model: string;
  loadS: number;
  transcribeS: number;
  /** Seconds of audio transcribed per second of work. */
  realTimeFactor: number;
  /** CPU seconds the worker process used, and the × real time that is on `cores` idle cores. */
  cpuS: number;
  idleRealTimeFactor: number;
  firstChunkS: number | null;
  peakRssMiB: number;
  cores: number;
}

export async function measureSpeech(dir: string, audioSeconds: number): Promise<SpeechMeasurement | undefined> {
  if (!(await speechEnvReady())) {
    console.log('speech: skipped (run `npm run setup` to install the speech worker)');
    return undefined;
  }
  // The sample podcast's script, read in one go by espeak-ng and repeated until it is long enough.
  const script = path.join(dir, 'script.txt');
  await writeFile(script, PODCAST_LINES.map((line) => line.text).join('\n'));
  const once = path.join(dir, 'script.wav');
  await exec('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', once, '-f', script]);
  const audio = path.join(dir, 'speech.flac');
  await run(
    ffmpeg()
      .input(once)
      .inputOptions(['-stream_loop', '-1'])
      .outputOptions(['-t', String(audioSeconds), '-ac', '1', '-ar', '16000', '-c:a', 'flac'])
      .output(audio),
  );
  const { stdout } = await exec(SPEECH_PATHS.python, ['-m', 'reelflow_speech.bench', audio, path.join(dir, 'out')], {
    cwd: SPEECH_PATHS.workerDir,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.trim().split('\n').pop() ?? '{}';
  const measured = JSON.parse(line) as Omit<SpeechMeasurement, 'realTimeFactor' | 'idleRealTimeFactor' | 'cores'>;
  const cores = cpus().length;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    ...measured,
    realTimeFactor: round(measured.audioSeconds / measured.transcribeS),
    // On a busy machine the wall clock measures the neighbours; CPU time spread over the cores does not.
    idleRealTimeFactor: round(measured.audioSeconds / (measured.cpuS / cores)),
    cores,
  };
}
