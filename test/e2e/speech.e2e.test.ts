/**
 * Local speech-to-text with the real speech worker: the Python worker (faster-whisper with the
 * offline Whisper base model, from `npm run setup`) against the test Temporal server, on speech
 * made by espeak-ng with known words and times.
 */
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReel } from '../../src/cli/runs';
import type { SpeechWorkerProcess } from '../../src/dev/speechEnv';
import { speechEnvReady, startSpeechWorker } from '../../src/dev/speechEnv';
import { generateSamplePodcast } from '../../src/dev/samplePodcast';
import type { Moment, ReelResult } from '../../src/domain/reel';
import type { Word } from '../../src/domain/speech';
import { SpeechWordsSchema, TranscribeAudioOutputSchema } from '../../src/domain/speech';
import { createWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo } from '../helpers/offlineVeo';
import { compareWords, speakWords } from '../helpers/spokenWords';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { eventually, progressOf } from '../helpers/workflows';

const LINES = [
  'Welcome back to the show.',
  'Today we talk about rate limits and why they matter.',
  'Every service has a budget, and every client wants more than its share.',
  'The trick is to measure first and to slow down second.',
];
/**
 * Whisper base scores about 5 % WER on clean read English (LibriSpeech test-clean); espeak-ng's
 * voice is clear but unnatural, and int8 numerics differ a little between CPUs. 15 % leaves that
 * room while a broken pipeline (wrong sample rate, chunks out of order, words lost at cuts) lands
 * far above it.
 */
const MAX_WER = 0.15;
/** How far a word's midpoint may be from where espeak-ng put it. */
const MAX_MIDPOINT_ERROR_S = 0.3;

let temporal: TestTemporal;
let dir: string;
let speechBundle: WorkflowBundle;
let speechQueue: string;
let speech: SpeechWorkerProcess;
/** The reel workflows, bundled once for the tests that run reels. */
let reelBundle: Promise<WorkflowBundle> | undefined;
const reelWorkflows = () => (reelBundle ??= bundleWorkflows());

beforeAll(async () => {
  if (!(await speechEnvReady())) throw new Error('the speech worker is not installed: run `npm run setup`');
  temporal = await connectTestTemporal();
  dir = await tempDir('speech');
  speechQueue = uniqueName('speech');
  [speechBundle, speech] = await Promise.all([
    bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '../helpers/speechWorkflows.ts'),
      logger: new DefaultLogger('WARN'),
    }),
    startSpeechWorker({ address: temporal.address, taskQueue: speechQueue, env: { SPEECH_PARALLEL: '2' } }),
  ]);
});
afterAll(async () => {
  await speech?.stop();
  await temporal?.close();
});

/** Runs the test workflow that calls `transcribe_audio` on `queue` and returns the validated result. */
async function transcribe(queue: string, job: { audioPath: string; outDir: string; chunkS?: number }) {
  const taskQueue = uniqueName('wf');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowBundle: speechBundle,
  });
  const handle = await temporal.client.workflow.start('transcribeOnly', {
    taskQueue,
    workflowId: uniqueName('transcribe'),
    args: [{ taskQueue: queue, job }],
  });
  return { handle, result: worker.runUntil(handle.result().then((r) => TranscribeAudioOutputSchema.parse(r))) };
}

async function wordsOf(wordsPath: string): Promise<Word[]> {
  const words = SpeechWordsSchema.parse(JSON.parse(await readFile(wordsPath, 'utf8')));
  return words.segments.flatMap((segment) => segment.words);
}

describe('speech worker (faster-whisper, offline Whisper base)', () => {
  it('transcribes espeak-ng speech: low WER, ordered word times inside the audio, each word where it was spoken', async () => {
    const spoken = await speakWords(LINES, path.join(dir, 'lines.wav'));
    const { result } = await transcribe(speechQueue, { audioPath: spoken.wav, outDir: path.join(dir, 'lines') });
    const output = await result;
    expect(output).toMatchObject({ model: 'whisper-base', language: 'en', chunks: 1, chunksReused: 0 });
    const heard = await wordsOf(output.wordsPath);

    const { wer, matched } = compareWords(spoken.words, heard);
    console.log(`speech test: WER ${(wer * 100).toFixed(1)} % over ${spoken.words.length} words`);
    expect(wer).toBeLessThan(MAX_WER);

    let previousEnd = 0;
    for (const word of heard) {
      expect(word.startS).toBeGreaterThanOrEqual(previousEnd);
      expect(word.endS).toBeGreaterThanOrEqual(word.startS);
      expect(word.endS).toBeLessThanOrEqual(spoken.durationS);
      previousEnd = word.endS;
    }
    // Every word heard right is where espeak-ng said it.
    expect(matched.length).toBeGreaterThanOrEqual(spoken.words.length * (1 - MAX_WER));
    const errors = matched.map(({ reference, heard: word }) =>
      Math.abs((reference.startS + reference.endS) / 2 - (word.startS + word.endS) / 2),
    );
    console.log(`speech test: midpoint error max ${Math.max(...errors).toFixed(3)} s`);
    for (const error of errors) expect(error).toBeLessThanOrEqual(MAX_MIDPOINT_ERROR_S);
  });

  it('a worker killed mid-transcription is replaced by one that transcribes only the chunks not yet on disk', async () => {
    const spoken = await speakWords(LINES, path.join(dir, 'long.wav'));
    const queue = uniqueName('speech-kill');
    const outDir = path.join(dir, 'long');
    const chunkDir = path.join(outDir, 'chunks');
    // One chunk at a time, so the first chunk lands on disk well before the last.
    const first = await startSpeechWorker({
      address: temporal.address,
      taskQueue: queue,
      env: { SPEECH_PARALLEL: '1' },
    });
    const { result } = await transcribe(queue, { audioPath: spoken.wav, outDir, chunkS: 8 });
    const chunkFiles = async () => (await readdir(chunkDir).catch(() => [])).filter((f) => f.endsWith('.json'));
    await eventually(chunkFiles, (files) => files.length >= 1, 300_000);
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));
    const done = await chunkFiles();
    const before = new Map(
      await Promise.all(done.map(async (f) => [f, (await stat(path.join(chunkDir, f))).mtimeMs] as const)),
    );
    expect(done.length).toBeGreaterThanOrEqual(1);

    const second = await startSpeechWorker({
      address: temporal.address,
      taskQueue: queue,
      env: { SPEECH_PARALLEL: '2' },
    });
    try {
      const output = await result;
      // The killed worker had not finished; the new one reused every chunk it had saved and did the rest.
      expect(done.length).toBeLessThan(output.chunks);
      expect(output.chunksReused).toBe(done.length);
      expect(output.chunksTranscribed).toBe(output.chunks - done.length);
      expect(second.lines.some((line) => line.includes(`${done.length} already on disk`))).toBe(true);
      for (const [file, mtime] of before) expect((await stat(path.join(chunkDir, file))).mtimeMs).toBe(mtime);
      // And the whole text is there, in order.
      const { wer } = compareWords(spoken.words, await wordsOf(output.wordsPath));
      console.log(
        `speech resume test: ${output.chunks} chunks, ${done.length} reused, WER ${(wer * 100).toFixed(1)} %`,
      );
      expect(wer).toBeLessThan(MAX_WER);
    } finally {
      await second.stop();
    }
  }, 900_000);

  it('a reel from a source with no subtitles at all: RESEARCH transcribes it locally and the moment starts and ends on words', async () => {
    const sampleDir = path.join(dir, 'sample');
    const [sample, veo, bundle] = await Promise.all([
      // Just over the 60 s a source needs; a 30 s reel keeps the render short.
      generateSamplePodcast({ dir: sampleDir, durationS: 64, width: 640, height: 360, speech: true }),
      startOfflineVeo(dir),
      reelWorkflows(),
    ]);
    await rm(sample.srt);
    const config = testConfig(dir, {
      TEMPORAL_TASK_QUEUE: uniqueName('reel-speech'),
      SPEECH_TASK_QUEUE: speechQueue,
      // What this run proves is RESEARCH's transcript and moment: no B-roll to draw.
      VEO3_CLIP_COUNT: '0',
    });
    try {
      const worker = await createWorker({
        connection: temporal.nativeConnection,
        config,
        providers: providersFor(veo, config),
        workflowBundle: bundle,
      });
      const result = await worker.runUntil(async () => {
        // The 1:1 frame: 0.56 of 9:16's pixels to encode, and the transcript is the same.
        const handle = await startReel(temporal.client, config.temporal.taskQueue, {
          source: sample.video,
          durationS: 30,
          aspect: '1:1',
        });
        return (await handle.result()) as ReelResult;
      });

      const transcript = JSON.parse(await readFile(path.join(result.workspace, 'transcript.json'), 'utf8')) as {
        origin: string;
        model: string;
        cues: { words?: Word[] }[];
      };
      expect(transcript).toMatchObject({ origin: 'speech', model: 'whisper-base' });
      const words = transcript.cues.flatMap((cue) => cue.words ?? []);
      expect(words.length).toBeGreaterThan(60);
      const moment = JSON.parse(await readFile(path.join(result.workspace, 'moment.json'), 'utf8')) as Moment;
      expect(result.moment).toEqual({ startS: moment.startS, endS: moment.endS });
      expect(words.map((w) => w.startS)).toContain(moment.startS);
      expect(words.map((w) => w.endS)).toContain(moment.endS);
      expect(moment.endS - moment.startS).toBeGreaterThanOrEqual(30);
    } finally {
      await veo.stop();
    }
  }, 600_000);

  it('with no speech worker on the queue, RESEARCH fails at once saying what to run, and the run waits for resume', async () => {
    const sampleDir = path.join(dir, 'unserved');
    const [sample, bundle] = await Promise.all([
      generateSamplePodcast({ dir: sampleDir, durationS: 61, width: 320, height: 180, speech: false }),
      reelWorkflows(),
    ]);
    await rm(sample.srt);
    const config = testConfig(dir, {
      TEMPORAL_TASK_QUEUE: uniqueName('reel-unserved'),
      SPEECH_TASK_QUEUE: uniqueName('nobody-serves-this'),
    });
    const veo = await startOfflineVeo(path.join(dir, 'unserved-veo'));
    try {
      const worker = await createWorker({
        connection: temporal.nativeConnection,
        config,
        providers: providersFor(veo, config),
        workflowBundle: bundle,
      });
      await worker.runUntil(async () => {
        const handle = await startReel(temporal.client, config.temporal.taskQueue, { source: sample.video });
        const progress = await eventually(
          () => progressOf(handle),
          (p) => p.status === 'FAILED',
        );
        expect(progress.stage).toBe('RESEARCH');
        expect(progress.error).toContain(`no speech worker serves task queue "${config.speech.taskQueue}"`);
        expect(progress.error).toContain('npm run setup');
        expect(progress.error).toContain('npm run worker:speech');
        await handle.terminate('test done');
      });
    } finally {
      await veo.stop();
    }
  });
});
