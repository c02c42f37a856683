/**
 * The offline video provider: a small HTTP server on 127.0.0.1 that speaks the subset of the
 * Gemini Developer API (and Vertex AI express mode) that Veo uses, and the Interactions API calls
 * that Gemini Omni video uses (`POST /v1beta/interactions`, `GET /v1beta/interactions/{id}`, as
 * @google/genai 2.32.0 sends them), so the real @google/genai code path runs offline, in tests and in production alike. Clips are rendered with ffmpeg from the
 * prompt (or start image) as asynchronous jobs. Jobs are kept on disk, so a restarted server still
 * answers for them (and finishes renders a crash interrupted); submissions with the same
 * idempotency key return the same operation.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { veoFrameSize } from '../media/clipCheck';
import { renderPromptClip } from '../media/promptClip';
import { renderPromptImage } from '../providers/image/offlineImage';
import { IDEMPOTENCY_HEADER } from '../providers/video/veo';
import type { FaultKind, FaultRule } from './faults';
import { FAILURE_FAULTS, FaultPlan, JOB_FAULTS, SUBMIT_FAULTS } from './faults';

export const OFFLINE_VEO_NAME = 'reelflow-offline-veo';

interface Job {
  /** The operation name (Veo) or the interaction id (Gemini Omni). */
  id: string;
  /** Which API made the job: Veo's operations (default) or Omni's interactions. */
  api?: 'interactions';
  /** Omni: the clip comes back as a Files API link (`response_format.delivery: "uri"`), not inline. */
  delivery?: 'uri';
  fileId: string;
  model: string;
  key?: string;
  prompt: string;
  durationS: number;
  aspectRatio: '9:16' | '16:9';
  startImage?: string;
  fault?: FaultKind;
  delayS?: number;
  state: 'running' | 'done';
  createdAt: number;
  /** Earliest time the operation may report done (simulated generation latency). */
  readyAt: number;
}

export interface LocalVeoStats {
  submissions: number;
  polls: number;
  downloads: number;
  /** Submissions answered from an existing job (idempotency key seen before). */
  deduplicated: number;
  rejected: number;
  /** Idempotency keys of the jobs created, in order. */
  keys: string[];
  /** Prompts of the jobs created, in order (a prompt seen twice is a paid duplicate). */
  prompts: string[];
  contentRequests: number;
  /** Requests answered 404 "is no longer available" (unavailable models). */
  unavailable: number;
}

export interface LocalVeoOptions {
  /** Where jobs and files live; keep it to survive restarts. */
  stateDir: string;
  port?: number;
  faults?: FaultRule[];
  /** Extra seconds before an operation reports done, to imitate generation time. */
  latencyS?: number;
  /** Renders at once (CPU bound: two cores here). */
  concurrency?: number;
  /**
   * Deduplicate submissions by the idempotency header (default true). Google ignores the header:
   * set false to behave like it, so a resubmission is a second (paid) job.
   */
  idempotency?: boolean;
  /** Models answered 404 "is no longer available", as Google answers for withdrawn models. */
  unavailableModels?: string[];
  log?: (line: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

const DURATIONS = [4, 6, 8];
const OPERATION_PATH = /^\/v1beta\/(models\/[^/]+\/operations\/[a-z0-9]+)$/;
const SUBMIT_PATH =
  /^\/(v1beta|v1beta1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?(?:publishers\/google\/)?models\/([^/:]+):predictLongRunning$/;
const VERTEX_FETCH_PATH =
  /^\/v1beta1\/(?:projects\/[^/]+\/locations\/[^/]+\/)?(?:publishers\/google\/)?models\/([^/:]+):fetchPredictOperation$/;
const DOWNLOAD_PATH = /^\/v1beta\/files\/([a-z0-9]+):download$/;
const GENERATE_CONTENT_PATH = /^\/v1beta\/models\/([^/:]+):generateContent$/;
const INTERACTIONS_PATH = /^\/v1beta\/interactions$/;
const INTERACTION_PATH = /^\/v1beta\/interactions\/([A-Za-z0-9_-]+)$/;
/** Clip lengths Gemini Omni takes (whole seconds), as reported for the preview. */
const OMNI_DURATIONS = [3, 4, 5, 6, 7, 8, 9, 10];
/** Output tokens per second of 720p video, as reported for Gemini Omni Flash (metered in `usage`). */
const OMNI_TOKENS_PER_SECOND = 5792;

/** Answers a generateContent request body with a GenerateContentResponse (tests plug their own in). */
export type ContentResponder = (
  model: string,
  body: GenerateContentBody,
) => Promise<Record<string, unknown>> | Record<string, unknown>;
export interface GenerateContentBody {
  contents?: { role?: string; parts?: { text?: string }[] }[];
  generationConfig?: {
    responseMimeType?: string;
    responseJsonSchema?: unknown;
    responseModalities?: string[];
    imageConfig?: { aspectRatio?: string };
  };
}

export class LocalVeoServer {
  readonly stats: LocalVeoStats = {
    submissions: 0,
    polls: 0,
    downloads: 0,
    deduplicated: 0,
    rejected: 0,
    keys: [],
    prompts: [],
    contentRequests: 0,
    unavailable: 0,
  };
  private readonly jobs = new Map<string, Job>();
  private readonly byKey = new Map<string, string>();
  private readonly faults: FaultPlan;
  private readonly queue: Job[] = [];
  private readonly rendered = new Set<string>();
  private active = 0;
  private server?: Server;
  private baseUrl = '';
  private contentResponder?: ContentResponder;
  private unavailableModels: Set<string>;
  /** Answers held by the `hold` fault, released by releaseHeld(). */
  private heldAnswers: (() => void)[] = [];
  private heldWaiters: (() => void)[] = [];
  private held = false;

  constructor(private readonly options: LocalVeoOptions) {
    this.faults = new FaultPlan(options.faults);
    this.unavailableModels = new Set(options.unavailableModels);
  }

  setUnavailableModels(models: string[]): void {
    this.unavailableModels = new Set(models);
  }

  /** Submissions whose job exists but whose answer is held (the `hold` fault). */
  get heldSubmissions(): number {
    return this.heldAnswers.length;
  }

  /** Resolves once `count` answers are being held. */
  async waitForHeld(count = 1): Promise<void> {
    while (this.heldAnswers.length < count) await new Promise<void>((resolve) => this.heldWaiters.push(resolve));
  }

  /** Sends every held answer (to whoever is still listening). */
  releaseHeld(): void {
    const answers = this.heldAnswers;
    this.heldAnswers = [];
    for (const answer of answers) answer();
  }

  get url(): string {
    return this.baseUrl;
  }

  setFaults(rules: FaultRule[]): void {
    this.faults.set(rules);
  }

  /** Until released, every operation reports "still generating": a test decides when clips are ready. */
  holdGeneration(): void {
    this.held = true;
  }

  releaseGeneration(): void {
    this.held = false;
  }

  /** How generateContent answers text requests (image requests get a rendered PNG by default). */
  setContentResponder(responder: ContentResponder | undefined): void {
    this.contentResponder = responder;
  }

  async start(): Promise<string> {
    await mkdir(this.dir('jobs'), { recursive: true });
    await mkdir(this.dir('files'), { recursive: true });
    await this.loadJobs();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.sendError(res, err));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.releaseHeld();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private dir(...parts: string[]): string {
    return path.join(this.options.stateDir, ...parts);
  }

  /** Jobs from an earlier life of the server: answer for them, and finish renders a crash cut short. */
  private async loadJobs(): Promise<void> {
    for (const name of await readdir(this.dir('jobs'))) {
      if (!name.endsWith('.json')) continue;
      const job = JSON.parse(await readFile(this.dir('jobs', name), 'utf8')) as Job;
      this.jobs.set(job.id, job);
      if (job.key) this.byKey.set(job.key, job.id);
      const finished = await stat(this.dir('files', `${job.fileId}.mp4`)).then(
        () => true,
        () => false,
      );
      if (finished) this.rendered.add(job.id);
      else if (job.fault !== 'hang' && !isFailureFault(job.fault)) this.enqueue(job);
    }
  }

  private async saveJob(job: Job): Promise<void> {
    const file = this.dir('jobs', `${job.fileId}.json`);
    await writeFile(`${file}.tmp`, JSON.stringify(job));
    await rename(`${file}.tmp`, file);
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 2;
    while (this.active < limit && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.active += 1;
      this.render(job)
        .catch((err: unknown) =>
          this.options.log?.(`offline veo: render of ${job.id} failed: ${(err as Error).message}`),
        )
        .finally(() => {
          this.active -= 1;
          this.pump();
        });
    }
  }

  private async render(job: Job): Promise<void> {
    const file = this.dir('files', `${job.fileId}.mp4`);
    // A unique temporary name: a render left running by an earlier life of the server may still finish.
    const tmp = `${file}.${randomBytes(4).toString('hex')}.part.mp4`;
    if (job.fault === 'corrupt') {
      await writeFile(tmp, randomBytes(4096));
    } else {
      const { width, height } = veoFrameSize(job.aspectRatio);
      await renderPromptClip({
        prompt: job.prompt,
        durationS: job.durationS,
        width,
        height,
        output: tmp,
        ...(job.startImage ? { startImage: job.startImage } : {}),
        black: job.fault === 'black',
      });
    }
    await rename(tmp, file);
    this.rendered.add(job.id);
  }

  /** Finished renders, including ones an earlier life of the server completed. */
  private isRendered(job: Job): boolean {
    if (!this.rendered.has(job.id) && existsSync(this.dir('files', `${job.fileId}.mp4`))) this.rendered.add(job.id);
    return this.rendered.has(job.id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/__reelflow/')) return this.handleControl(req, res, url.pathname);
    // Like Google's API: the key travels in a header, never in the URL.
    if (url.searchParams.has('key'))
      throw new HttpError(400, 'INVALID_ARGUMENT', 'API keys belong in the x-goog-api-key header');
    if (!req.headers['x-goog-api-key']) throw new HttpError(401, 'UNAUTHENTICATED', 'missing x-goog-api-key header');

    let match: RegExpExecArray | null;
    if (req.method === 'POST' && (match = SUBMIT_PATH.exec(url.pathname))) {
      return this.submit(req, res, match[2]!, match[1] === 'v1beta1');
    }
    if (req.method === 'GET' && (match = OPERATION_PATH.exec(url.pathname))) {
      return this.sendJson(res, 200, this.operation(match[1]!));
    }
    if (req.method === 'POST' && VERTEX_FETCH_PATH.test(url.pathname)) {
      const body = (await readBody(req)) as { operationName?: string };
      return this.sendJson(res, 200, await this.vertexOperation(body.operationName ?? ''));
    }
    if (req.method === 'GET' && (match = DOWNLOAD_PATH.exec(url.pathname))) {
      return this.download(res, match[1]!);
    }
    if (req.method === 'POST' && INTERACTIONS_PATH.test(url.pathname)) return this.submitInteraction(req, res);
    if (req.method === 'GET' && (match = INTERACTION_PATH.exec(url.pathname))) {
      return this.sendJson(res, 200, await this.interaction(match[1]!));
    }
    if (req.method === 'POST' && (match = GENERATE_CONTENT_PATH.exec(url.pathname))) {
      return this.sendJson(
        res,
        200,
        await this.generateContent(match[1]!, (await readBody(req)) as GenerateContentBody),
      );
    }
    throw new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
  }

  private async submit(req: IncomingMessage, res: ServerResponse, model: string, vertex: boolean): Promise<void> {
    const body = (await readBody(req)) as {
      instances?: { prompt?: unknown; image?: { bytesBase64Encoded?: string; mimeType?: string } }[];
      parameters?: { durationSeconds?: unknown; aspectRatio?: unknown; sampleCount?: unknown };
    };
    const instance = body.instances?.[0];
    const prompt = instance?.prompt;
    const durationS = Number(body.parameters?.durationSeconds ?? 8);
    const aspectRatio = body.parameters?.aspectRatio ?? '16:9';
    const reject = (code: number, status: string, message: string): never => {
      this.stats.rejected += 1;
      throw new HttpError(code, status, message);
    };
    if (typeof prompt !== 'string' || prompt.trim() === '')
      reject(400, 'INVALID_ARGUMENT', 'instances[0].prompt is required');
    if (!DURATIONS.includes(durationS))
      reject(400, 'INVALID_ARGUMENT', `durationSeconds must be 4, 6 or 8 (got ${durationS})`);
    if (aspectRatio !== '16:9' && aspectRatio !== '9:16')
      reject(400, 'INVALID_ARGUMENT', `aspectRatio must be 16:9 or 9:16`);
    const text = prompt as string;

    const startImage = instance?.image?.bytesBase64Encoded;
    const job = await this.createJob(req, res, {
      model,
      prompt: text,
      durationS,
      aspectRatio: aspectRatio as Job['aspectRatio'],
      ...(startImage ? { startImage } : {}),
      id: (opId) =>
        vertex
          ? `projects/local/locations/local/publishers/google/models/${model}/operations/${opId}`
          : `models/${model}/operations/${opId}`,
      // Google ignores the idempotency header; this server honours it unless told to behave like Google.
      key: req.headers[IDEMPOTENCY_HEADER],
    });
    if (job) this.sendJson(res, 200, { name: job.id });
  }

  /**
   * Gemini Omni: `interactions.create` with a video response format and `background: true`. There is
   * no idempotency key in the Interactions API, so every accepted request is a new (paid) job.
   */
  private async submitInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)) as {
      model?: unknown;
      input?: unknown;
      background?: unknown;
      response_format?: { type?: unknown; aspect_ratio?: unknown; duration?: unknown; delivery?: unknown };
      response_modalities?: unknown;
    };
    const reject = (code: number, status: string, message: string): never => {
      this.stats.rejected += 1;
      throw new HttpError(code, status, message);
    };
    const model = body.model;
    if (typeof model !== 'string' || model === '') return reject(400, 'INVALID_ARGUMENT', 'model is required');
    const format = body.response_format;
    const wantsVideo =
      format?.type === 'video' ||
      (Array.isArray(body.response_modalities) && body.response_modalities.includes('video'));
    if (!wantsVideo)
      reject(400, 'INVALID_ARGUMENT', 'this server makes videos only: response_format.type must be "video"');
    if (body.background !== true)
      reject(400, 'INVALID_ARGUMENT', 'video generation runs in the background: set background: true');
    const blocks: { type?: unknown; text?: unknown; data?: unknown }[] =
      typeof body.input === 'string'
        ? [{ type: 'text', text: body.input }]
        : Array.isArray(body.input)
          ? body.input
          : [];
    const text = blocks
      .filter((b) => b.type === 'text' && typeof b.text === 'string')
      .map((b) => b.text as string)
      .join(' ')
      .trim();
    if (text === '') reject(400, 'INVALID_ARGUMENT', 'input must carry a text prompt');
    const duration = format?.duration === undefined ? '8s' : String(format.duration);
    const durationS = Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);
    if (!OMNI_DURATIONS.includes(durationS))
      reject(400, 'INVALID_ARGUMENT', `response_format.duration must be 3s to 10s (got ${JSON.stringify(duration)})`);
    const aspectRatio = format?.aspect_ratio ?? '16:9';
    if (aspectRatio !== '16:9' && aspectRatio !== '9:16')
      reject(400, 'INVALID_ARGUMENT', 'response_format.aspect_ratio must be 16:9 or 9:16');
    const delivery = format?.delivery ?? 'inline';
    if (delivery !== 'inline' && delivery !== 'uri')
      reject(400, 'INVALID_ARGUMENT', 'response_format.delivery must be "inline" or "uri"');
    const image = blocks.find((b) => b.type === 'image' && typeof b.data === 'string');
    const job = await this.createJob(req, res, {
      model,
      prompt: text,
      durationS,
      aspectRatio: aspectRatio as Job['aspectRatio'],
      ...(image ? { startImage: image.data as string } : {}),
      id: (opId) => `v1_${opId}`,
      api: 'interactions',
      ...(delivery === 'uri' ? { delivery: 'uri' as const } : {}),
    });
    if (job) this.sendJson(res, 200, { ...this.interactionHeader(job), status: 'in_progress' });
  }

  /**
   * A submission the request has passed validation for: an unavailable model answers 404, submit
   * faults answer their error, otherwise the job is created, counted, queued for rendering, and
   * returned (undefined when a held answer found its caller gone).
   */
  private async createJob(
    req: IncomingMessage,
    res: ServerResponse,
    request: {
      model: string;
      prompt: string;
      durationS: number;
      aspectRatio: Job['aspectRatio'];
      /** Base64 image bytes. */
      startImage?: string;
      id: (opId: string) => string;
      key?: string | string[];
      api?: Job['api'];
      delivery?: Job['delivery'];
    },
  ): Promise<Job | undefined> {
    const { model, prompt: text, durationS, aspectRatio, key } = request;
    const reject = (code: number, status: string, message: string): never => {
      this.stats.rejected += 1;
      throw new HttpError(code, status, message);
    };
    if (this.unavailableModels.has(model)) {
      this.stats.unavailable += 1;
      throw new HttpError(404, 'NOT_FOUND', `models/${model} is no longer available. Please use a newer model.`);
    }
    const existing = typeof key === 'string' && this.options.idempotency !== false ? this.byKey.get(key) : undefined;
    if (existing) {
      this.stats.deduplicated += 1;
      return this.jobs.get(existing)!;
    }
    const submitFault = this.faults.take(text, SUBMIT_FAULTS);
    if (submitFault?.fault === 'rate_limit')
      reject(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
    if (submitFault?.fault === 'invalid_argument')
      reject(400, 'INVALID_ARGUMENT', 'The prompt could not be processed.');
    if (submitFault?.fault === 'server_error') reject(500, 'INTERNAL', 'Internal error encountered.');

    const hold = this.faults.take(text, ['hold']);
    const jobFault = this.faults.take(text, JOB_FAULTS);
    const now = Date.now();
    const job: Job = {
      id: request.id(randomBytes(8).toString('hex')),
      ...(request.api ? { api: request.api } : {}),
      ...(request.delivery ? { delivery: request.delivery } : {}),
      fileId: randomBytes(8).toString('hex'),
      model,
      ...(typeof key === 'string' ? { key } : {}),
      prompt: text,
      durationS,
      aspectRatio,
      ...(jobFault ? { fault: jobFault.fault } : {}),
      state: 'running',
      createdAt: now,
      readyAt: now + ((this.options.latencyS ?? 0) + (jobFault?.fault === 'slow' ? (jobFault.delayS ?? 5) : 0)) * 1000,
    };
    if (request.startImage) {
      const imagePath = this.dir('files', `${job.fileId}-start.png`);
      await writeFile(imagePath, Buffer.from(request.startImage, 'base64'));
      job.startImage = imagePath;
    }
    this.jobs.set(job.id, job);
    if (job.key) this.byKey.set(job.key, job.id);
    this.stats.submissions += 1;
    this.stats.prompts.push(text);
    if (job.key) this.stats.keys.push(job.key);
    await this.saveJob(job);
    if (job.fault !== 'hang' && !isFailureFault(job.fault)) this.enqueue(job);
    if (hold) {
      // The job exists (and would be charged); the caller just does not hear about it yet.
      await new Promise<void>((resolve) => {
        this.heldAnswers.push(resolve);
        for (const wake of this.heldWaiters.splice(0)) wake();
      });
      if (res.destroyed || req.socket.destroyed) return undefined;
    }
    return job;
  }

  /** The fields every interaction answer carries. */
  private interactionHeader(job: Job): Record<string, unknown> {
    return {
      id: job.id,
      object: 'interaction',
      model: job.model,
      created: new Date(job.createdAt).toISOString(),
      updated: new Date().toISOString(),
    };
  }

  /**
   * An interaction as the Gemini API shows it: the clip in the last model_output step, inline
   * (base64) or, when the request asked for `delivery: "uri"`, as a Files API link that the SDK's
   * `files.download` fetches from `files/{id}:download`; video output tokens in `usage`. A refusal
   * is a completed interaction that answers in words.
   */
  private async interaction(id: string): Promise<Record<string, unknown>> {
    this.stats.polls += 1;
    const job = this.jobs.get(id);
    if (!job || job.api !== 'interactions') throw new HttpError(404, 'NOT_FOUND', `interaction ${id} not found`);
    const header = this.interactionHeader(job);
    const asked = { type: 'user_input', content: [{ type: 'text', text: job.prompt }] };
    if (job.fault === 'operation_error') {
      return {
        ...header,
        status: 'failed',
        errors: [{ code: 'internal', message: 'Video generation failed due to an internal error.' }],
      };
    }
    if (job.fault === 'safety') {
      const refusal = "I can't create that video: the request goes against the safety policies.";
      return {
        ...header,
        status: 'completed',
        steps: [asked, { type: 'model_output', content: [{ type: 'text', text: refusal }] }],
        usage: { total_output_tokens: Math.ceil(refusal.length / 4) },
      };
    }
    if (this.held || !this.isRendered(job) || Date.now() < job.readyAt) return { ...header, status: 'in_progress' };
    let video: Record<string, unknown>;
    if (job.delivery === 'uri') {
      // Google's Files API form; the download itself is counted when it is fetched.
      video = {
        type: 'video',
        mime_type: 'video/mp4',
        uri: `https://generativelanguage.googleapis.com/v1beta/files/${job.fileId}`,
      };
    } else {
      this.stats.downloads += 1;
      const data = (await readFile(this.dir('files', `${job.fileId}.mp4`))).toString('base64');
      video = { type: 'video', mime_type: 'video/mp4', data };
    }
    const tokens = job.durationS * OMNI_TOKENS_PER_SECOND;
    return {
      ...header,
      status: 'completed',
      steps: [asked, { type: 'model_output', content: [video] }],
      usage: {
        total_output_tokens: tokens,
        output_tokens_by_modality: [{ modality: 'video', tokens }],
      },
    };
  }

  /** The operation as the Gemini API shows it. */
  private operation(name: string): Record<string, unknown> {
    this.stats.polls += 1;
    const job = this.jobs.get(name);
    if (!job) throw new HttpError(404, 'NOT_FOUND', `operation ${name} not found`);
    if (job.fault === 'operation_error') {
      return { name, done: true, error: { code: 13, message: 'Video generation failed due to an internal error.' } };
    }
    if (job.fault === 'safety') {
      return finished(name, {
        raiMediaFilteredCount: 1,
        raiMediaFilteredReasons: ['The prompt was blocked by the safety filter.'],
      });
    }
    if (this.held || !this.isRendered(job) || Date.now() < job.readyAt) return { name, done: false, metadata: {} };
    // Google's own URI form; the SDK takes the file id from it and downloads through its base URL.
    const uri = `https://generativelanguage.googleapis.com/v1beta/files/${job.fileId}:download?alt=media`;
    return finished(name, { generatedSamples: [{ video: { uri } }] });
  }

  /** Vertex returns the video inline (base64) unless a storage URI was given. */
  private async vertexOperation(name: string): Promise<Record<string, unknown>> {
    const op = this.operation(name);
    const job = this.jobs.get(name)!;
    if (!op.done || op.error) return op;
    const generated = (
      op.response as {
        generateVideoResponse: {
          generatedSamples?: unknown;
          raiMediaFilteredCount?: number;
          raiMediaFilteredReasons?: string[];
        };
      }
    ).generateVideoResponse;
    if (!generated.generatedSamples) {
      return {
        name,
        done: true,
        response: {
          raiMediaFilteredCount: generated.raiMediaFilteredCount,
          raiMediaFilteredReasons: generated.raiMediaFilteredReasons,
        },
      };
    }
    this.stats.downloads += 1;
    const bytes = await readFile(this.dir('files', `${job.fileId}.mp4`));
    return {
      name,
      done: true,
      response: { videos: [{ bytesBase64Encoded: bytes.toString('base64'), mimeType: 'video/mp4' }] },
    };
  }

  /** generateContent: image output is a PNG rendered from the prompt; text comes from the test's responder. */
  private async generateContent(model: string, body: GenerateContentBody): Promise<Record<string, unknown>> {
    this.stats.contentRequests += 1;
    if (this.unavailableModels.has(model)) {
      this.stats.unavailable += 1;
      throw new HttpError(404, 'NOT_FOUND', `models/${model} is no longer available. Please use a newer model.`);
    }
    if (!body.generationConfig?.responseModalities?.includes('IMAGE')) {
      if (this.contentResponder) return withUsage(body, await this.contentResponder(model, body));
      throw new HttpError(
        501,
        'UNIMPLEMENTED',
        'the local server answers text generateContent only with a responder set (setContentResponder)',
      );
    }
    const prompt = (body.contents ?? [])
      .flatMap((c) => c.parts ?? [])
      .map((p) => p.text ?? '')
      .join(' ');
    const portrait = body.generationConfig.imageConfig?.aspectRatio === '9:16';
    const file = this.dir('files', `image-${randomBytes(6).toString('hex')}.png`);
    await renderPromptImage({ prompt, width: portrait ? 768 : 1344, height: portrait ? 1344 : 768, output: file });
    const data = (await readFile(file)).toString('base64');
    return {
      candidates: [
        { content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data } }] }, finishReason: 'STOP' },
      ],
    };
  }

  private async download(res: ServerResponse, fileId: string): Promise<void> {
    const job = [...this.jobs.values()].find((j) => j.fileId === fileId);
    if (!job || job.fault === 'download_404' || !this.isRendered(job))
      throw new HttpError(404, 'NOT_FOUND', `file ${fileId} not found`);
    this.stats.downloads += 1;
    const file = this.dir('files', `${fileId}.mp4`);
    const { size } = await stat(file);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size });
    createReadStream(file).pipe(res);
  }

  private async handleControl(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (pathname === '/__reelflow/stats' && req.method === 'GET') return this.sendJson(res, 200, this.stats);
    if (pathname === '/__reelflow/faults' && req.method === 'PUT') {
      this.setFaults((await readBody(req)) as FaultRule[]);
      return this.sendJson(res, 200, { ok: true });
    }
    throw new HttpError(404, 'NOT_FOUND', `no control route ${pathname}`);
  }

  private sendJson(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private sendError(res: ServerResponse, err: unknown): void {
    const e = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL', (err as Error).message);
    if (res.headersSent) return void res.destroy();
    this.sendJson(res, e.code, { error: { code: e.code, message: e.message, status: e.status } });
  }
}

/**
 * Token counts as Google reports them (usageMetadata), about four characters to a token, unless the
 * responder gave its own.
 */
function withUsage(body: GenerateContentBody, response: Record<string, unknown>): Record<string, unknown> {
  if (response.usageMetadata) return response;
  const tokens = (text: string) => Math.ceil(text.length / 4);
  const asked = (body.contents ?? []).flatMap((c) => c.parts ?? []).map((p) => p.text ?? '');
  const answered = ((response.candidates ?? []) as { content?: { parts?: { text?: string }[] } }[])
    .flatMap((c) => c.content?.parts ?? [])
    .map((p) => p.text ?? '');
  const promptTokenCount = tokens(asked.join('')) + tokens(JSON.stringify(body.generationConfig ?? {}));
  const candidatesTokenCount = tokens(answered.join(''));
  return {
    ...response,
    usageMetadata: { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount },
  };
}

/** A finished operation carrying a generateVideoResponse, as the Gemini API shapes it. */
function finished(name: string, generateVideoResponse: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    done: true,
    response: {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
      generateVideoResponse,
    },
  };
}

function isFailureFault(fault: FaultKind | undefined): boolean {
  return fault !== undefined && FAILURE_FAULTS.includes(fault);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'request body is not JSON');
  }
}
