/**
 * RESEARCH's speech-to-text step: when the research activity hands back a speech job (no subtitles,
 * local transcription chosen), the speech worker transcribes the audio on its own task queue and a
 * light activity turns its words into transcript.json. Deterministic: activities by name only.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ErrorType } from '../domain/errors';
import type { ResearchResult } from '../domain/reel';
import type { TranscribeAudioInput, TranscribeAudioOutput } from '../domain/speech';
import { SPEECH_ACTIVITY, TranscribeAudioInputSchema, TranscribeAudioOutputSchema } from '../domain/speech';
import { parseWith } from '../domain/validation';

type SpeechActivities = Record<typeof SPEECH_ACTIVITY, (input: TranscribeAudioInput) => Promise<unknown>>;

/** The speech worker's activity on `taskQueue`: long, heartbeating; a dead worker is noticed within a minute. */
function speechWorker(taskQueue: string): SpeechActivities {
  return proxyActivities<SpeechActivities>({
    taskQueue,
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: '1 minute',
    retry: {
      maximumAttempts: 5,
      initialInterval: '2s',
      nonRetryableErrorTypes: [ErrorType.INVALID_REQUEST, ErrorType.MEDIA_NOT_FOUND, ErrorType.SPEECH_UNAVAILABLE],
    },
  });
}

/**
 * Completes a research result that carries a speech job; any other result passes through. Each
 * retry of the speech activity resumes from the chunks already on disk.
 */
export async function transcribeWithSpeechWorker(
  research: ResearchResult,
  light: Pick<Activities, 'speechTranscript'>,
): Promise<ResearchResult> {
  const { speechJob, ...rest } = research;
  if (!speechJob) return research;
  const input = parseWith(TranscribeAudioInputSchema, speechJob.input);
  if (!input.ok) {
    throw ApplicationFailure.create({ type: ErrorType.INVALID_REQUEST, message: `speech job: ${input.message}` });
  }
  let raw: unknown;
  try {
    raw = await speechWorker(speechJob.taskQueue)[SPEECH_ACTIVITY](input.value);
  } catch (err) {
    // The worker's own message (what failed, what to run) is the useful one.
    const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    if (cause) throw ApplicationFailure.create({ type: cause.type ?? undefined, message: cause.message });
    throw err;
  }
  const output = parseWith(TranscribeAudioOutputSchema, raw);
  if (!output.ok) {
    throw ApplicationFailure.create({
      type: ErrorType.MODEL_OUTPUT_INVALID,
      message: `the speech worker's answer is malformed: ${output.message}`,
    });
  }
  const result: TranscribeAudioOutput = output.value;
  const written = await light.speechTranscript({
    wordsPath: result.wordsPath,
    transcriptPath: research.transcriptPath,
    source: research.sourcePath ?? input.value.audioPath,
  });
  return { ...rest, cueCount: written.cueCount };
}
