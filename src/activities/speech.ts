/**
 * The TypeScript side of local speech-to-text: RESEARCH prepares a job for the speech worker (audio
 * extracted into the workspace, after checking a worker serves the queue), and `speechTranscript`
 * turns the worker's words into transcript.json cues that keep each word's times.
 */
import type { Context as ActivityContext } from '@temporalio/activity';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import type { Cue } from '../domain/reel';
import type { SpeechJob, Word } from '../domain/speech';
import { SPEECH_CHUNK_S, SpeechWordsSchema } from '../domain/speech';
import type { MediaProbe } from '../media/ffmpeg';
import { extractSpeechAudio } from '../media/speechAudio';
import { hasActivityPollers } from '../temporal/pollers';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { readJson, writeJsonAtomic } from './workspace';

/** What to run when no speech worker is there (the workflow and README say the same). */
export const SPEECH_SETUP_HINT =
  '`npm run setup` (creates .venv-speech/ and assembles the offline model), then `npm run worker:speech` ' +
  '(`reelflow dev` and `npm run demo -- --no-subtitles` start it for you)';

/**
 * Extracts the source's speech (lossless, 16 kHz mono) into `<workspace>/speech/` and returns the
 * job for the speech worker. Fails at once, saying what to run, when no worker serves the queue.
 */
export async function prepareSpeechJob(
  ctx: ActivityContext,
  { config }: ActivityDeps,
  source: string,
  media: MediaProbe,
  workspace: string,
): Promise<SpeechJob> {
  const { taskQueue } = config.speech;
  if (!media.audio) {
    throw failure(ErrorType.TRANSCRIPT_MISSING, `${source} has no audio to transcribe`);
  }
  if (!(await hasActivityPollers(ctx.client, config.temporal.namespace, taskQueue))) {
    throw failure(
      ErrorType.SPEECH_UNAVAILABLE,
      `no speech worker serves task queue "${taskQueue}" to transcribe ${source}: run ${SPEECH_SETUP_HINT}, then resume this run`,
    );
  }
  const folder = path.join(workspace, 'speech');
  const audioPath = await extractSpeechAudio(source, path.join(folder, 'audio.flac'), {
    expectedDurationS: media.durationS,
    onProgress: (fraction) => ctx.heartbeat({ phase: 'audio', fraction: Math.round(fraction * 100) / 100 }),
    signal: ctx.cancellationSignal,
  });
  return { taskQueue, input: { audioPath, outDir: folder, chunkS: SPEECH_CHUNK_S } };
}

const endsSentence = (word: string) => /[.!?]["')\]]*$/.test(word);

/** Cues of whole sentences (a segment may hold several), each cue spanning exactly its words. */
export function cuesFromWords(segments: { words: Word[] }[]): Cue[] {
  const cues: Cue[] = [];
  let words: Word[] = [];
  const close = () => {
    const first = words[0];
    const last = words[words.length - 1];
    if (first && last) {
      cues.push({ startS: first.startS, endS: last.endS, text: words.map((w) => w.w).join(' '), words });
    }
    words = [];
  };
  for (const segment of segments) {
    for (const word of segment.words) {
      words.push({ w: word.w, startS: word.startS, endS: word.endS });
      if (endsSentence(word.w)) close();
    }
    close();
  }
  return cues;
}

export function createSpeechActivities() {
  return {
    /** The speech worker's words → transcript.json (origin `speech`, cues with words). */
    async speechTranscript(input: {
      wordsPath: string;
      transcriptPath: string;
      source: string;
    }): Promise<{ cueCount: number; wordCount: number; model: string }> {
      const parsed = SpeechWordsSchema.safeParse(await readJson<unknown>(input.wordsPath));
      if (!parsed.success) {
        throw failure(ErrorType.MODEL_OUTPUT_INVALID, `the speech worker's ${input.wordsPath} is malformed`);
      }
      const { model, language, segments } = parsed.data;
      const cues = cuesFromWords(segments);
      if (cues.length === 0) {
        throw failure(
          ErrorType.TRANSCRIPT_MISSING,
          `the speech model (${model}) heard no words in ${input.source}; pass a transcript with --transcript`,
        );
      }
      await writeJsonAtomic(input.transcriptPath, { origin: 'speech', model, language, cues });
      return { cueCount: cues.length, wordCount: cues.reduce((n, cue) => n + (cue.words?.length ?? 0), 0), model };
    },
  };
}
