/** The video-generation port: what B-roll and prompt-to-video need from a provider. */
import type { JobStatus } from '../../domain/broll';

export interface ClipRequest {
  /** Idempotency key: a retried submission with the same key must not create a second job. */
  key: string;
  prompt: string;
  durationS: 4 | 6 | 8;
  aspectRatio: '9:16' | '16:9';
  /** Image-to-video: the first frame (PNG or JPEG file). */
  startImagePath?: string;
  /** The last frame, where the model supports it. */
  lastImagePath?: string;
}

export type PollOutcome =
  | { state: 'running' }
  /**
   * Finished and downloaded to the destination path; `outputTokens` when the provider reports what
   * the generation used (Gemini Omni's interaction `usage`; Veo's operations report none).
   */
  | { state: 'downloaded'; outputTokens?: number }
  | { state: 'failed'; status: JobStatus; message: string };

export interface VideoModel {
  /** Shown to users: says which provider (and whether it is the offline one). */
  readonly name: string;
  /** The model a submission goes to now (prices the reservation before the call). */
  readonly model: string;
  /**
   * Submits a generation job; resolves with the operation name. Throws VideoProviderError whose
   * status is `submit_unknown` unless the failure proves that no job was created.
   */
  submit(request: ClipRequest): Promise<string>;
  /** Checks an operation; when it has finished, downloads the clip to `destination` at once. */
  poll(operation: string, destination: string): Promise<PollOutcome>;
}

/** A provider failure with the job status it maps to. */
export class VideoProviderError extends Error {
  override name = 'VideoProviderError';
  constructor(
    readonly status: JobStatus,
    message: string,
  ) {
    super(message);
  }
}
