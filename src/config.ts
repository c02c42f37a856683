/**
 * Every setting, read from the environment once through one zod schema. A bad variable stops the
 * process with an error that names it. Secrets (GEMINI_API_KEY) live here and in activities only:
 * never in workflow inputs, results or events.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { CropSettings } from './domain/cropPlan';
import { DEFAULT_CROP_SETTINGS } from './domain/cropPlan';
import type { HostQueues } from './domain/hosts';
import { HostIdSchema, hostQueuesOf } from './domain/hosts';
import { defaultSpeechTaskQueue, TranscriberSchema } from './domain/speech';
import type { Backend } from './domain/models';
import { DEFAULT_MODELS, modelList, OFFLINE_VIDEO_MODELS } from './domain/models';

const int = (min: number, max: number) => {
  const rule = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: rule }).int({ error: rule }).min(min, { error: rule }).max(max, { error: rule });
};
const provider = z.enum(['offline', 'gemini']);

const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d+$/, 'must be host:port, e.g. localhost:7233')
    .default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('reelflow'),
  RUNS_DIR: z.string().min(1).default('runs'),
  OUTPUT_DIR: z.string().min(1).default('output'),
  VEO3_CLIP_COUNT: int(0, 16).default(3),
  /** How many of an episode's clips render at the same time. */
  EPISODE_PARALLEL_CLIPS: int(1, 10).default(2),
  VEO3_TIMEOUT_S: int(1, 86_400).default(300),
  VEO3_CROP_BOTTOM_PX: int(0, 512).default(16),
  TEXT_PROVIDER: provider.optional(),
  IMAGE_PROVIDER: provider.optional(),
  VIDEO_PROVIDER: provider.optional(),
  GEMINI_API_KEY: z.string().min(1).optional(),
  /** Vertex AI instead of the Gemini Developer API (same SDK): project + location with ADC, or express mode with a key. */
  GOOGLE_GENAI_USE_VERTEXAI: z.enum(['true', 'false', '1', '0']).optional(),
  GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
  GOOGLE_CLOUD_LOCATION: z.string().min(1).optional(),
  /** Ordered, comma-separated fallback lists; defaults depend on the backend (src/domain/models.ts). */
  VEO3_MODEL: z
    .string()
    .regex(/[^,\s]/, 'must name at least one model')
    .optional(),
  GEMINI_TEXT_MODEL: z
    .string()
    .regex(/[^,\s]/, 'must name at least one model')
    .optional(),
  GEMINI_IMAGE_MODEL: z
    .string()
    .regex(/[^,\s]/, 'must name at least one model')
    .optional(),
  /** A price table to use instead of src/pricing/prices.json. */
  PRICES_PATH: z.string().min(1).optional(),
  /** The most the whole deployment (this namespace) may spend on paid calls per UTC day. */
  BUDGET_DAILY_USD: z.coerce.number().positive().optional(),
  VEO3_POLL_INITIAL_S: z.coerce.number().positive().max(600).default(5),
  VEO3_POLL_MAX_S: z.coerce.number().positive().max(3600).default(30),
  /** Attempts (including the first) for a submission answered with HTTP 429, and the first delay. */
  VEO3_RATE_LIMIT_ATTEMPTS: int(1, 10).default(4),
  VEO3_RATE_LIMIT_DELAY_S: z.coerce.number().min(0).max(120).default(2),
  /** Use an already running offline Veo server instead of starting one inside the worker. */
  OFFLINE_VEO_URL: z.string().url().optional(),
  /** Extra seconds each offline clip takes, to imitate real generation time. */
  OFFLINE_VEO_LATENCY_S: z.coerce.number().min(0).max(600).default(0),
  FFMPEG_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'])
    .default('veryfast'),
  FFMPEG_CRF: int(0, 51).default(23),
  /** 0 lets ffmpeg choose. */
  FFMPEG_THREADS: int(0, 64).default(0),
  /** Seconds of reel per chunk of ASSEMBLY's encode; a crash mid-render redoes at most the chunk being encoded (src/media/chunks.ts). */
  RENDER_CHUNK_S: int(2, 600).default(15),
  /** Font family of burned-in captions and the hook title (Debian fonts-dejavu-core, installed by `npm run setup`). */
  CAPTION_FONT: z.string().trim().min(1).default('DejaVu Sans'),
  /** Prompt to video: clips generating at once, and how long VIDEO_GEN waits for them. */
  VIDEO_GEN_CONCURRENCY: int(1, 16).default(2),
  VIDEO_GEN_TIMEOUT_S: int(10, 86_400).default(1800),
  /** The HTTP API: where it listens, and an optional bearer token it requires. */
  API_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 picks any free port. */
  API_PORT: int(0, 65_535).default(8787),
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** URL sources (RESEARCH downloads them into the workspace): the largest file accepted, and how long a download may take. */
  SOURCE_MAX_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(4 * 1024 ** 3),
  SOURCE_DOWNLOAD_TIMEOUT_S: int(1, 86_400).default(1800),
  /** DELIVERY POSTs a JSON notice here when a reel is ready (optional; never blocks completion). */
  WEBHOOK_URL: z.string().url().optional(),
  /** Speaker-focus framing (src/domain/cropPlan.ts): hold before another speaker, pan speed, dead zone. */
  FRAMING_HOLD_S: z.coerce.number().min(0).max(30).default(DEFAULT_CROP_SETTINGS.holdS),
  FRAMING_MAX_PAN: z.coerce.number().positive().max(2).default(DEFAULT_CROP_SETTINGS.maxPanPerS),
  FRAMING_DEAD_ZONE: z.coerce.number().min(0).max(0.45).default(DEFAULT_CROP_SETTINGS.deadZone),
  /** The task queue the speech worker serves (speech/; it reads the same variable). Default: `<TEMPORAL_TASK_QUEUE>-speech`. */
  SPEECH_TASK_QUEUE: z.string().min(1).optional(),
  /** Names this host's task queues (default: hostname plus a hash of RUNS_DIR: one folder, one host). */
  REELFLOW_HOST_ID: HostIdSchema.optional(),
  /** Media activities (ffmpeg, layout, audio features) running at once on this host (default: half the cores). */
  MEDIA_CONCURRENCY: int(1, 256).optional(),
  /**
   * A run's host is lost when its light work waits this long to start (README "Scaling out"): a healthy
   * host starts light work at once even when busy, and 5 minutes lets a restarted worker come back first.
   */
  HOST_PICKUP_TIMEOUT_S: int(1, 86_400).default(300),
  /** The same for media work, which may queue behind MEDIA_CONCURRENCY renders on a busy healthy host. */
  MEDIA_PICKUP_TIMEOUT_S: int(1, 86_400).default(7200),
  /**
   * A media call waiting longer than this makes its run ask the host's light queue whether the host is
   * alive, and again every interval; no answer within HOST_PICKUP_TIMEOUT_S means the host is lost.
   */
  HOST_WATCH_INTERVAL_S: int(1, 86_400).default(60),
  /** Who transcribes sources without subtitles: `local` (speech worker) or `gemini`; default: Gemini when it is the text provider. */
  TRANSCRIBE: TranscriberSchema.optional(),
  /**
   * A prebuilt bundle of src/workflows (bundleWorkflowCode's code in a file): workers load it instead
   * of bundling at start, which costs seconds of CPU (the tests build one for all their worker processes).
   */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
});

export type ProviderName = z.infer<typeof provider>;

/** Variables whose values are secrets: named in errors, never shown. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['GEMINI_API_KEY', 'API_TOKEN']);

export interface AppConfig {
  temporal: { address: string; namespace: string; taskQueue: string };
  /** Absolute path of a prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH); unset: bundle at start. */
  workflowBundlePath?: string;
  /** Absolute directory holding one workspace per run. */
  runsDir: string;
  /** Absolute directory where DELIVERY puts finished reels. */
  outputDir: string;
  veo3: {
    clipCount: number;
    timeoutS: number;
    cropBottomPx: number;
    /** Tried in order: a model the provider no longer serves is skipped for the next. */
    models: string[];
    pollInitialS: number;
    pollMaxS: number;
    rateLimit: { attempts: number; initialDelayS: number };
  };
  providers: { text: ProviderName; image: ProviderName; video: ProviderName };
  geminiApiKey?: string;
  vertex?: { project?: string; location?: string };
  /** Which Google backend paid calls go to (names the price table's provider and the default models). */
  backend: Backend;
  gemini: { textModels: string[]; imageModels: string[] };
  /** PRICES_PATH, when set (otherwise the table shipped in src/pricing). */
  pricesPath?: string;
  budget: { dailyUsd?: number };
  offlineVeo: { url?: string; latencyS: number };
  encoding: { preset: string; crf: number; threads: number };
  captions: { font: string };
  render: { chunkS: number };
  webhookUrl?: string;
  videoGen: { maxConcurrent: number; timeoutS: number };
  api: { host: string; port: number; token?: string };
  source: { maxBytes: number; downloadTimeoutS: number };
  framing: Pick<CropSettings, 'holdS' | 'maxPanPerS' | 'deadZone'>;
  speech: { taskQueue: string; transcribe?: 'local' | 'gemini' };
  episode: { parallelClips: number };
  /** This host's task queues (a run's workspace stays on one host) and how much media work it runs at once. */
  host: Required<HostQueues> & { mediaConcurrency: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Builds the settings from an environment (process.env by default). Throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  // Empty variables count as unset, so `FOO= npm run demo` means "default", not "invalid".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = EnvSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      // A secret's value never reaches a terminal or a log, even when it is wrong.
      const shown = SECRET_VARIABLES.has(name) ? '' : `=${JSON.stringify(env[name] ?? '')}`;
      return `${name}${shown}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = result.data;
  // With a key, Gemini (and Veo) are the defaults; without one, the offline providers are.
  const fallback: ProviderName = e.GEMINI_API_KEY ? 'gemini' : 'offline';
  const providers = {
    text: e.TEXT_PROVIDER ?? fallback,
    image: e.IMAGE_PROVIDER ?? fallback,
    video: e.VIDEO_PROVIDER ?? fallback,
  };
  const vertex = e.GOOGLE_GENAI_USE_VERTEXAI === 'true' || e.GOOGLE_GENAI_USE_VERTEXAI === '1';
  const needsKey = Object.entries(providers).filter(([, name]) => name === 'gemini');
  if (needsKey.length > 0 && !e.GEMINI_API_KEY && !(vertex && e.GOOGLE_CLOUD_PROJECT)) {
    const names = needsKey.map(([kind]) => `${kind.toUpperCase()}_PROVIDER`).join(', ');
    throw new ConfigError(`invalid configuration: GEMINI_API_KEY: required because ${names}=gemini`);
  }
  const backend: Backend = vertex ? 'vertex' : 'gemini-api';
  const defaults = DEFAULT_MODELS[backend];
  return {
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    ...(e.WORKFLOW_BUNDLE_PATH ? { workflowBundlePath: path.resolve(cwd, e.WORKFLOW_BUNDLE_PATH) } : {}),
    runsDir: path.resolve(cwd, e.RUNS_DIR),
    outputDir: path.resolve(cwd, e.OUTPUT_DIR),
    veo3: {
      clipCount: e.VEO3_CLIP_COUNT,
      timeoutS: e.VEO3_TIMEOUT_S,
      cropBottomPx: e.VEO3_CROP_BOTTOM_PX,
      models: e.VEO3_MODEL
        ? modelList(e.VEO3_MODEL)
        : providers.video === 'offline'
          ? OFFLINE_VIDEO_MODELS
          : defaults.video,
      pollInitialS: e.VEO3_POLL_INITIAL_S,
      pollMaxS: Math.max(e.VEO3_POLL_MAX_S, e.VEO3_POLL_INITIAL_S),
      rateLimit: { attempts: e.VEO3_RATE_LIMIT_ATTEMPTS, initialDelayS: e.VEO3_RATE_LIMIT_DELAY_S },
    },
    providers,
    ...(e.GEMINI_API_KEY ? { geminiApiKey: e.GEMINI_API_KEY } : {}),
    ...(vertex ? { vertex: { project: e.GOOGLE_CLOUD_PROJECT, location: e.GOOGLE_CLOUD_LOCATION } } : {}),
    backend,
    gemini: {
      textModels: e.GEMINI_TEXT_MODEL ? modelList(e.GEMINI_TEXT_MODEL) : defaults.text,
      imageModels: e.GEMINI_IMAGE_MODEL ? modelList(e.GEMINI_IMAGE_MODEL) : defaults.image,
    },
    ...(e.PRICES_PATH ? { pricesPath: path.resolve(cwd, e.PRICES_PATH) } : {}),
    budget: { ...(e.BUDGET_DAILY_USD ? { dailyUsd: e.BUDGET_DAILY_USD } : {}) },
    offlineVeo: { ...(e.OFFLINE_VEO_URL ? { url: e.OFFLINE_VEO_URL } : {}), latencyS: e.OFFLINE_VEO_LATENCY_S },
    encoding: { preset: e.FFMPEG_PRESET, crf: e.FFMPEG_CRF, threads: e.FFMPEG_THREADS },
    captions: { font: e.CAPTION_FONT },
    render: { chunkS: e.RENDER_CHUNK_S },
    ...(e.WEBHOOK_URL ? { webhookUrl: e.WEBHOOK_URL } : {}),
    videoGen: { maxConcurrent: e.VIDEO_GEN_CONCURRENCY, timeoutS: e.VIDEO_GEN_TIMEOUT_S },
    api: { host: e.API_HOST, port: e.API_PORT, ...(e.API_TOKEN ? { token: e.API_TOKEN } : {}) },
    source: { maxBytes: e.SOURCE_MAX_BYTES, downloadTimeoutS: e.SOURCE_DOWNLOAD_TIMEOUT_S },
    framing: { holdS: e.FRAMING_HOLD_S, maxPanPerS: e.FRAMING_MAX_PAN, deadZone: e.FRAMING_DEAD_ZONE },
    speech: {
      taskQueue: e.SPEECH_TASK_QUEUE ?? defaultSpeechTaskQueue(e.TEMPORAL_TASK_QUEUE),
      ...(e.TRANSCRIBE ? { transcribe: e.TRANSCRIBE } : {}),
    },
    episode: { parallelClips: e.EPISODE_PARALLEL_CLIPS },
    host: {
      ...hostQueuesOf(e.TEMPORAL_TASK_QUEUE, e.REELFLOW_HOST_ID ?? defaultHostId(path.resolve(cwd, e.RUNS_DIR))),
      // Half the cores (1 on 2 cores): one encode already uses every core, and fewer at once deliver the
      // first reel sooner; MEDIA_CONCURRENCY = the cores favours throughput (README "Scaling out").
      mediaConcurrency: e.MEDIA_CONCURRENCY ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
      pickupTimeoutS: e.HOST_PICKUP_TIMEOUT_S,
      mediaPickupTimeoutS: e.MEDIA_PICKUP_TIMEOUT_S,
      watchIntervalS: e.HOST_WATCH_INTERVAL_S,
    },
  };
}

/** hostname plus a hash of the runs folder: two workers share queues exactly when they share files. */
function defaultHostId(runsDir: string): string {
  const name =
    os
      .hostname()
      .replace(/[^\w.-]/g, '-')
      .slice(0, 40) || 'host';
  return `${name}-${createHash('sha256').update(runsDir).digest('hex').slice(0, 8)}`;
}

/** The settings as safe to print: the key is replaced by whether it is set. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  const { geminiApiKey, api, ...rest } = config;
  return {
    ...rest,
    api: { ...api, token: api.token ? '(set)' : '(not set)' },
    geminiApiKey: geminiApiKey ? '(set)' : '(not set)',
  };
}
