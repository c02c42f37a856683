/**
 * Gemini Omni video (`gemini-omni-flash-preview`) through the Interactions API of @google/genai
 * 2.32.0: `ai.interactions.create` with a video `response_format` and `background: true` answers at
 * once with an interaction id and status `in_progress`; `ai.interactions.get(id)` later shows
 * `completed` with the clip as a `video` content block of the last `model_output` step (the SDK
 * surfaces it as `output_video`: inline base64 `data`, or a Files API `uri` when the request asked
 * for `delivery: "uri"`). It is a long-running job like
 * Veo's operation, so it fits the same submit/poll port. Used by VeoVideoModel for the models of
 * VEO3_MODEL whose names start with `gemini-omni` (one fallback list for every Google video model).
 */
import type { GoogleGenAI, Video } from '@google/genai';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClipRequest, PollOutcome } from './types';
import { VideoProviderError } from './types';

export function isOmniModel(model: string): boolean {
  return model.startsWith('gemini-omni');
}

/** reelflow's operation name for an interaction: names the model, like a Veo operation does. */
export function omniOperation(model: string, interactionId: string): string {
  return `models/${model}/interactions/${interactionId}`;
}

const OPERATION = /^models\/([^/]+)\/interactions\/([^/]+)$/;

export function isOmniOperation(operation: string): boolean {
  return OPERATION.test(operation);
}

/** Interaction states that mean "still working" (requires_continuation does not apply to background jobs). */
const RUNNING = new Set(['in_progress', 'queued', 'requires_continuation']);

/** Refusals read as the safety filter's, so they are reported as such and not retried. */
const REFUSAL =
  /safety|policy|policies|blocked|prohibited|can(?:no|')t (?:create|generate|help)|unable to (?:create|generate)/i;

export interface OmniOptions {
  /** 429 handling: attempts including the first, and the first delay in seconds. */
  rateLimit: { attempts: number; initialDelayS: number };
  /**
   * How the finished clip comes back (`response_format.delivery`): `uri`, a Files API link
   * downloaded once by `files.download`, keeps a multi-megabyte clip out of the interaction's JSON;
   * `inline`, base64 in the interaction, is what Vertex gives without a Cloud Storage bucket.
   */
  delivery: 'inline' | 'uri';
}

export class OmniVideo {
  constructor(
    private readonly ai: GoogleGenAI,
    private readonly options: OmniOptions,
  ) {}

  /**
   * Starts a background interaction and returns reelflow's operation name for it. SDK errors are
   * thrown as they come (the caller classifies them), with one exception: the SDK's default retry
   * policy for CreateInteraction resends on 408, 409, 5xx and connection errors (index.mjs,
   * `operation_id: "CreateInteraction"`), any of which may follow a request Google accepted: a
   * second paid job. Here only 429 is retried, which proves nothing was accepted.
   */
  async submit(model: string, request: ClipRequest): Promise<string> {
    if (request.lastImagePath) {
      // Not offered by the Omni preview; dropping the frame would quietly make a different clip.
      throw new VideoProviderError('invalid_argument', `${model} takes no last frame (lastImagePath): use a Veo model`);
    }
    const image = request.startImagePath ? await imageContent(request.startImagePath) : undefined;
    const interaction = await this.ai.interactions.create(
      {
        model,
        input: [{ type: 'text', text: request.prompt }, ...(image ? [image] : [])],
        response_format: {
          type: 'video',
          aspect_ratio: request.aspectRatio,
          duration: `${request.durationS}s`,
          delivery: this.options.delivery,
        },
        // A job that outlives this HTTP call; `store` keeps it readable by interactions.get.
        background: true,
        store: true,
      },
      {
        retries: {
          strategy: 'attempt-count-backoff',
          maxRetries: Math.max(0, this.options.rateLimit.attempts - 1),
          backoff: { initialInterval: this.options.rateLimit.initialDelayS * 1000, maxInterval: 60_000, exponent: 2 },
          retryConnectionErrors: false,
        },
        retry_codes: ['429'],
      },
    );
    // Accepted, but nothing to poll: the job may exist and be charged, so this is not a "no".
    if (!interaction.id) throw new Error('the provider returned an interaction without an id');
    return omniOperation(model, interaction.id);
  }

  async poll(operation: string, destination: string): Promise<PollOutcome> {
    const id = OPERATION.exec(operation)?.[2];
    if (!id) throw new VideoProviderError('poll_failed', `not an interaction: ${operation}`);
    let interaction: Awaited<ReturnType<GoogleGenAI['interactions']['get']>>;
    try {
      interaction = await this.ai.interactions.get(id);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 404)
        return { state: 'failed', status: 'generation_failed', message: `interaction not found: ${message}` };
      throw new VideoProviderError('poll_failed', message);
    }
    if (!('status' in interaction)) throw new VideoProviderError('poll_failed', 'the provider answered with a stream');
    if (RUNNING.has(interaction.status)) return { state: 'running' };
    if (interaction.status === 'failed') {
      const message = failureMessage(interaction) ?? 'the interaction failed';
      return { state: 'failed', status: REFUSAL.test(message) ? 'rai_filtered' : 'generation_failed', message };
    }
    if (interaction.status !== 'completed') {
      return { state: 'failed', status: 'generation_failed', message: `the interaction ended ${interaction.status}` };
    }
    const video = interaction.output_video;
    if (!video?.data && !video?.uri) {
      // The model answered in words instead of a clip: a refusal, which a retry would repeat.
      const said = interaction.output_text?.trim();
      return said
        ? { state: 'failed', status: 'rai_filtered', message: said }
        : { state: 'failed', status: 'generation_failed', message: 'the interaction finished without a video' };
    }
    try {
      if (video.data) await writeFile(destination, Buffer.from(video.data, 'base64'));
      else
        await this.ai.files.download({
          file: { uri: video.uri, mimeType: video.mime_type } as Video,
          downloadPath: destination,
        });
    } catch (err) {
      return { state: 'failed', status: 'download_failed', message: err instanceof Error ? err.message : String(err) };
    }
    // What the generation used, as the interaction reports it: metered beside the seconds.
    const tokens = interaction.usage?.total_output_tokens;
    return typeof tokens === 'number' ? { state: 'downloaded', outputTokens: tokens } : { state: 'downloaded' };
  }
}

async function imageContent(file: string): Promise<{ type: 'image'; data: string; mime_type: string }> {
  const ext = path.extname(file).toLowerCase();
  return {
    type: 'image',
    data: (await readFile(file)).toString('base64'),
    mime_type: ext === '.jpg' || ext === '.jpeg' ? 'image/jpeg' : 'image/png',
  };
}

/** The errors a failed interaction carries: platform errors, or the error of a model_output step. */
function failureMessage(interaction: {
  errors?: { code?: string; message?: string }[];
  steps?: unknown[];
}): string | undefined {
  const messages = (interaction.errors ?? []).map((e) => e.message ?? e.code ?? '').filter(Boolean);
  for (const step of interaction.steps ?? []) {
    const error = (step as { type?: string; error?: { message?: string } }).error;
    if ((step as { type?: string }).type === 'model_output' && error?.message) messages.push(error.message);
  }
  return messages.length > 0 ? messages.join('; ') : undefined;
}
