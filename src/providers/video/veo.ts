/**
 * Google video through @google/genai 2.32.0: Veo (`models.generateVideos`), and Gemini Omni
 * (`interactions.create`, ./omni.ts) for the models of VEO3_MODEL named `gemini-omni…`, so one
 * ordered fallback list covers both. Works with a Gemini API key, in Vertex AI mode (Veo), and
 * against the local offline server. The key lives in this object only: it is sent as the
 * x-goog-api-key header and never returned.
 */
import { ApiError, GenerateVideosOperation } from '@google/genai';
import type { GoogleGenAI } from '@google/genai';
import type { GenerateVideosParameters } from '@google/genai';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { classifyOperationError, classifySubmitError } from '../../domain/clipStatus';
import type { Backend } from '../../domain/models';
import { geminiClient } from '../gemini';
import { ModelChain, ModelUnavailableError } from '../modelFallback';
import { isOmniModel, isOmniOperation, OmniVideo } from './omni';
import type { ClipRequest, PollOutcome, VideoModel } from './types';
import { VideoProviderError } from './types';

export interface VeoOptions {
  name: string;
  /** Tried in order (VEO3_MODEL): a model the provider no longer serves is skipped for the next. */
  models: string[];
  /** Names the default models in a model_unavailable message. */
  backend?: Backend;
  apiKey?: string;
  /** Vertex AI: project and location (Application Default Credentials), or express mode with apiKey. */
  vertex?: { project?: string; location?: string };
  /** Override the API endpoint (the local offline server). */
  baseUrl?: string;
  /** 429 handling: attempts including the first, and the first delay; the SDK adds jitter. */
  rateLimit: { attempts: number; initialDelayS: number };
}

async function imageInput(file: string): Promise<{ imageBytes: string; mimeType: string }> {
  const ext = path.extname(file).toLowerCase();
  return {
    imageBytes: (await readFile(file)).toString('base64'),
    mimeType: ext === '.jpg' || ext === '.jpeg' ? 'image/jpeg' : 'image/png',
  };
}

function describe(err: unknown): { status?: number; message: string; code?: string } {
  if (err instanceof ApiError) return { status: err.status, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  // The Interactions client's errors are its own class, with the HTTP status as `status`.
  const status = (err as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') return { status, message };
  // Network failures are wrapped (fetch, then the Interactions client's ConnectionError): the
  // innermost cause says whether the request ever left (ECONNREFUSED).
  let cause = (err as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; cause && depth < 5; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return { message, code };
    cause = (cause as { cause?: unknown }).cause;
  }
  return { message };
}

/**
 * The model an operation belongs to: `models/{model}/operations/{id}` (Vertex:
 * `…/models/{model}/operations/{id}`; Gemini Omni: `models/{model}/interactions/{id}`).
 */
export function modelOfOperation(operation: string): string | undefined {
  return /(?:^|\/)models\/([^/]+)\/(?:operations|interactions)\//.exec(operation)?.[1];
}

/**
 * Sent with every submission. Google ignores it; reelflow's offline server honours it, so a retried
 * submit returns the job it already made.
 */
export const IDEMPOTENCY_HEADER = 'x-reelflow-idempotency-key';

export class VeoVideoModel implements VideoModel {
  readonly name: string;
  private readonly ai: GoogleGenAI;
  private readonly models: ModelChain;
  private readonly omni: OmniVideo;

  constructor(private readonly options: VeoOptions) {
    this.name = options.name;
    this.ai = geminiClient(options);
    // The Gemini API hands a clip back as a Files API link when asked; Vertex would need a bucket (gcs_uri).
    this.omni = new OmniVideo(this.ai, { rateLimit: options.rateLimit, delivery: options.vertex ? 'inline' : 'uri' });
    this.models = new ModelChain(
      'video',
      options.backend ?? (options.vertex ? 'vertex' : 'gemini-api'),
      options.models,
    );
  }

  /**
   * Submits a job and resolves with its operation name (which names the model that took it). Throws
   * VideoProviderError: `submit_unknown` unless the failure proves no job was created.
   */
  /** The model submissions go to now (the first of VEO3_MODEL the provider still serves). */
  get model(): string {
    return this.models.current;
  }

  async submit(request: ClipRequest): Promise<string> {
    // Inputs are read before anything is sent: a missing frame is a plain local error.
    const source = {
      prompt: request.prompt,
      ...(request.startImagePath ? { image: await imageInput(request.startImagePath) } : {}),
    };
    const lastFrame = request.lastImagePath ? await imageInput(request.lastImagePath) : undefined;
    try {
      const { result } = await this.models.run((model) => this.submitTo(model, request, source, lastFrame));
      return result;
    } catch (err) {
      if (err instanceof ModelUnavailableError) throw new VideoProviderError('model_unavailable', err.message);
      if (err instanceof VideoProviderError) throw err;
      const info = describe(err);
      throw new VideoProviderError(classifySubmitError(info), info.message);
    }
  }

  private async submitTo(
    model: string,
    request: ClipRequest,
    source: GenerateVideosParameters['source'],
    lastFrame: { imageBytes: string; mimeType: string } | undefined,
  ): Promise<string> {
    if (isOmniModel(model)) return this.omni.submit(model, request);
    const params: GenerateVideosParameters = {
      model,
      source,
      config: {
        numberOfVideos: 1,
        durationSeconds: request.durationS,
        aspectRatio: request.aspectRatio,
        ...(lastFrame ? { lastFrame } : {}),
        httpOptions: {
          // Google ignores this header; the offline server deduplicates by it.
          headers: { [IDEMPOTENCY_HEADER]: request.key },
          // Only 429 is retried here: it means "not accepted", so a retry cannot create a duplicate.
          retryOptions: {
            attempts: this.options.rateLimit.attempts,
            initialDelay: this.options.rateLimit.initialDelayS,
            maxDelay: 60,
            httpStatusCodes: [429],
          },
        },
      },
    };
    const operation = await this.ai.models.generateVideos(params);
    // Accepted, but nothing to poll: the job may exist and be charged, so this is not a "no".
    if (!operation.name) throw new Error('the provider returned an operation without a name');
    return operation.name;
  }

  async poll(operationName: string, destination: string): Promise<PollOutcome> {
    if (isOmniOperation(operationName)) return this.omni.poll(operationName, destination);
    const operation = new GenerateVideosOperation();
    operation.name = operationName;
    let current: GenerateVideosOperation;
    try {
      current = await this.ai.operations.getVideosOperation({ operation });
    } catch (err) {
      const info = describe(err);
      // A vanished operation will not come back; anything else may be passing.
      if (info.status === 404)
        return { state: 'failed', status: 'generation_failed', message: `operation not found: ${info.message}` };
      throw new VideoProviderError('poll_failed', info.message);
    }
    if (!current.done) return { state: 'running' };
    // A finished operation with an error, or with only filtered output, is not thrown: check it.
    if (current.error) {
      const error = current.error as { code?: number; message?: string };
      return {
        state: 'failed',
        status: classifyOperationError(error),
        message: error.message ?? JSON.stringify(error),
      };
    }
    const generated = current.response?.generatedVideos?.[0];
    if (!generated?.video) {
      const reasons = current.response?.raiMediaFilteredReasons?.join('; ');
      if ((current.response?.raiMediaFilteredCount ?? 0) > 0 || reasons) {
        return { state: 'failed', status: 'rai_filtered', message: reasons || 'filtered by the safety filter' };
      }
      return { state: 'failed', status: 'generation_failed', message: 'the operation finished without a video' };
    }
    try {
      if (generated.video.videoBytes) await writeFile(destination, Buffer.from(generated.video.videoBytes, 'base64'));
      else await this.ai.files.download({ file: generated, downloadPath: destination });
    } catch (err) {
      return { state: 'failed', status: 'download_failed', message: describe(err).message };
    }
    return { state: 'downloaded' };
  }
}
