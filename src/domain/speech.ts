/**
 * The contract with the speech worker (speech/reelflow_speech/contract.py): the activity's name, its
 * default task queue, and its JSON payloads, validated on this side with zod and on the Python side
 * by hand. Only paths and numbers travel; the words are in a file.
 */
import { z } from 'zod';

/** The activity the Python worker registers. */
export const SPEECH_ACTIVITY = 'transcribe_audio';
/**
 * SPEECH_TASK_QUEUE's default: the task queue's name plus `-speech` (`reelflow-speech` for the
 * default queue), so a project on its own queue also has its own speech queue and two projects on
 * one Temporal never transcribe each other's audio. speech/reelflow_speech/settings.py derives it
 * the same way.
 */
export function defaultSpeechTaskQueue(taskQueue: string): string {
  return `${taskQueue}-speech`;
}
/** Chunk length the workflow asks for: long enough for context, short enough to resume cheaply. */
export const SPEECH_CHUNK_S = 60;

/** Who turns speech into text when a source has no subtitles. */
export const TranscriberSchema = z.enum(['local', 'gemini']);
export type Transcriber = z.infer<typeof TranscriberSchema>;

export const TranscribeAudioInputSchema = z
  .object({
    audioPath: z.string().min(1),
    outDir: z.string().min(1),
    chunkS: z.number().min(5).max(1800).optional(),
    language: z.string().min(2).optional(),
  })
  .strict();
export type TranscribeAudioInput = z.infer<typeof TranscribeAudioInputSchema>;

export const TranscribeAudioOutputSchema = z.object({
  wordsPath: z.string().min(1),
  durationS: z.number().min(0),
  model: z.string().min(1),
  language: z.string().nullable(),
  chunks: z.number().int().min(1),
  /** Chunks this attempt transcribed, and chunks an earlier attempt had finished. */
  chunksTranscribed: z.number().int().min(0),
  chunksReused: z.number().int().min(0),
  wordCount: z.number().int().min(0),
});
export type TranscribeAudioOutput = z.infer<typeof TranscribeAudioOutputSchema>;

/** One spoken word and when it is said (source seconds). */
export const WordSchema = z.object({ w: z.string().min(1), startS: z.number().min(0), endS: z.number().min(0) });
export type Word = z.infer<typeof WordSchema>;

/** The worker's words file. */
export const SpeechWordsSchema = z.object({
  model: z.string(),
  language: z.string().nullable(),
  durationS: z.number(),
  segments: z.array(z.object({ startS: z.number(), endS: z.number(), text: z.string(), words: z.array(WordSchema) })),
});
export type SpeechWords = z.infer<typeof SpeechWordsSchema>;

/** What RESEARCH hands the workflow when the speech worker has to transcribe the source. */
export interface SpeechJob {
  /** The queue the speech worker serves (from the worker's settings, recorded in history). */
  taskQueue: string;
  input: TranscribeAudioInput;
}
