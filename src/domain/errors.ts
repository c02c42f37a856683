/**
 * Failure types carried by ApplicationFailure.type. One const list so workflows, activities and
 * retry policies agree (never rely on error class names: they do not survive bundling).
 */
export const ErrorType = {
  /** The request itself is wrong (a field is missing or malformed). */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** A file or URL the request names does not exist or cannot be read as media. */
  MEDIA_NOT_FOUND: 'MEDIA_NOT_FOUND',
  /** A media file exists but is not usable (no video stream, too short, unreadable). */
  MEDIA_INVALID: 'MEDIA_INVALID',
  /** No transcript could be found or made for the source. */
  TRANSCRIPT_MISSING: 'TRANSCRIPT_MISSING',
  /** A transcript file exists but is not SRT or WebVTT (the message names the file and the line). */
  TRANSCRIPT_INVALID: 'TRANSCRIPT_INVALID',
  /** The transcript has no window of the allowed length that ends on a sentence. */
  NO_MOMENT: 'NO_MOMENT',
  /** A model's answer did not match the schema it was asked for (asking again may help). */
  MODEL_OUTPUT_INVALID: 'MODEL_OUTPUT_INVALID',
  /** The model refused the request (safety or policy block): the request has to change. */
  CONTENT_BLOCKED: 'CONTENT_BLOCKED',
  /** A QA gate found nothing to work with in a stage's artifact (no rework can fix it). */
  QA_FAILED: 'QA_FAILED',
  /** The provider no longer serves any model of the setting the message names (change the setting). */
  MODEL_UNAVAILABLE: 'MODEL_UNAVAILABLE',
  /** A paid call would go over the run's or the day's budget cap. */
  OVER_BUDGET: 'OVER_BUDGET',
  /** A required external tool (ffmpeg, yt-dlp) is not installed. */
  TOOL_MISSING: 'TOOL_MISSING',
  /** No speech worker serves the speech queue, or its model cannot load (the message says what to run). */
  SPEECH_UNAVAILABLE: 'SPEECH_UNAVAILABLE',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Retrying these cannot help: the input has to change. */
export const NON_RETRYABLE_ERROR_TYPES: string[] = [
  ErrorType.INVALID_REQUEST,
  ErrorType.MEDIA_NOT_FOUND,
  ErrorType.MEDIA_INVALID,
  ErrorType.TRANSCRIPT_MISSING,
  ErrorType.TRANSCRIPT_INVALID,
  ErrorType.NO_MOMENT,
  ErrorType.CONTENT_BLOCKED,
  ErrorType.TOOL_MISSING,
  ErrorType.SPEECH_UNAVAILABLE,
  ErrorType.MODEL_UNAVAILABLE,
  ErrorType.OVER_BUDGET,
];

/** Failures caused by what the user asked for: a run stops at once instead of waiting for `resume`. */
export const INPUT_ERROR_TYPES: string[] = [
  ErrorType.INVALID_REQUEST,
  ErrorType.MEDIA_NOT_FOUND,
  ErrorType.MEDIA_INVALID,
  ErrorType.TRANSCRIPT_MISSING,
  ErrorType.TRANSCRIPT_INVALID,
  ErrorType.NO_MOMENT,
  ErrorType.CONTENT_BLOCKED,
];
