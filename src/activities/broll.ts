/** B-roll activities: submit a clip, poll (and download, crop, validate) a batch, record the jobs table. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BrollJob, ClipBudget, PollRequest, PollResult } from '../domain/broll';
import { submitMayRetry } from '../domain/clipStatus';
import type { PriceProvider } from '../domain/cost';
import { videoCost } from '../domain/cost';
import { priceProvider, pricesFor } from '../pricing';
import { modelOfOperation } from '../providers/video/veo';
import type { LedgerRef } from './budget';
import { OverBudgetError, PaidBudget } from './budget';
import type { PipelineEvent } from '../domain/progress';
import { cropAndValidate, InvalidClipError, veoFrameSize } from '../media/clipCheck';
import type { ClipRequest } from '../providers/video/types';
import { VideoProviderError } from '../providers/video/types';
import type { ActivityDeps } from './deps';
import { writeJsonAtomic } from './workspace';

/** The fields of veo3/jobs.json (the table also carries the request, which the file leaves out). */
const FILE_FIELDS = [
  'idempotent_key',
  'variant',
  'status',
  'operation',
  'video_path',
  'error_message',
  'attempts',
  'updated_at',
] as const;

/** What submitClip returns: the accepted job, the model that took it, and what it costs. */
export interface SubmittedClip {
  operation: string;
  provider: string;
  model: string;
  /** Seconds × the model's rate (0 offline). */
  costUsd: number;
  /** The price table's provider the cost was priced at. */
  pricedAs: PriceProvider;
}

/** Written before the provider is called: its presence without a record means "outcome unknown". */
interface SubmitIntent {
  at: string;
  model: string;
  costUsd: number;
  /** The ledgers the cost was reserved in (the day is the day of the reservation). */
  ledgers: LedgerRef[];
}

async function readJson<T>(file: string): Promise<T | undefined> {
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as T,
    () => undefined,
  );
}

/** Heartbeats while a provider call is in flight, so a dead worker is noticed by heartbeatTimeout. */
async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), 5_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createBrollActivities({ config, providers, temporalClient }: ActivityDeps) {
  const video = () => {
    if (!providers) throw new Error('no video provider configured for this worker');
    return providers.video;
  };
  const prices = () => pricesFor(config);
  const budget = new PaidBudget({
    ...(temporalClient ? { client: temporalClient } : {}),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(config.budget.dailyUsd !== undefined ? { dailyUsd: config.budget.dailyUsd } : {}),
  });
  return {
    /**
     * Submits one paid clip, at most once. In order: a record of an accepted job answers a retry at
     * once; the cost is reserved in the budget ledgers (a clip over a cap is `over_budget` and never
     * sent); an intent is written; then the provider is called. A retry that finds an intent but no
     * record cannot know whether the provider took the job (the worker died, or the answer was
     * lost), so it fails `submit_unknown` and sends nothing: only a person resubmits it, knowingly.
     */
    async submitClip(input: { workspace: string; budget?: ClipBudget } & ClipRequest): Promise<SubmittedClip> {
      const { workspace, budget: runBudget, ...request } = input;
      const dir = path.join(workspace, 'veo3', 'submitted');
      const record = path.join(dir, `${request.key}.json`);
      const intentFile = path.join(dir, `${request.key}.intent.json`);
      const runId = runBudget?.runId ?? path.basename(workspace);
      const intent = await readJson<SubmitIntent>(intentFile);
      const previous = await readJson<SubmittedClip>(record);
      if (previous) {
        // The ledgers may have missed the commit if the worker died right after writing the record.
        if (intent) await budget.commit(intent.ledgers, request.key, previous.costUsd);
        return previous;
      }
      if (intent) {
        await budget.commit(intent.ledgers, request.key, intent.costUsd);
        throw ApplicationFailure.create({
          type: 'submit_unknown',
          nonRetryable: true,
          message:
            `the provider may have accepted ${request.key} (submitted at ${intent.at}, no answer recorded): ` +
            `it is not resubmitted automatically; \`reelflow broll retry ${runId} --include-unknown\` resubmits it knowingly`,
        });
      }

      const model = video().model;
      const priced = videoCost(prices(), priceProvider(config, 'video'), model, request.durationS);
      const ledgers = priced === 0 ? [] : budget.ledgersFor(runBudget, new Date());
      if (ledgers.length > 0) {
        if (priced === undefined) {
          throw ApplicationFailure.create({
            type: 'over_budget',
            nonRetryable: true,
            message: `no price for ${model} in the price table, so a budget cap cannot be kept: add it (PRICES_PATH)`,
          });
        }
        try {
          await budget.reserve(ledgers, { id: request.key, usd: priced, label: request.key, runId });
        } catch (err) {
          if (err instanceof OverBudgetError)
            throw ApplicationFailure.create({ type: 'over_budget', nonRetryable: true, message: err.message });
          throw err;
        }
      }
      const costUsd = priced ?? 0;
      await writeJsonAtomic(intentFile, {
        at: new Date().toISOString(),
        model,
        costUsd,
        ledgers,
      } satisfies SubmitIntent);

      let operation: string;
      try {
        operation = await heartbeating(() => video().submit(request));
      } catch (err) {
        const status = err instanceof VideoProviderError ? err.status : 'submit_unknown';
        const message = err instanceof Error ? err.message : String(err);
        if (status === 'submit_unknown') {
          // Possibly charged: the reservation stays spent.
          await budget.commit(ledgers, request.key, costUsd);
          throw ApplicationFailure.create({
            type: 'submit_unknown',
            nonRetryable: true,
            message:
              `the submission of ${request.key} may have reached the provider (${message}); it is not resubmitted ` +
              `automatically: \`reelflow broll retry ${runId} --include-unknown\` resubmits it knowingly`,
          });
        }
        // The provider answered "no": no job exists, nothing is charged, and a retry is safe.
        await rm(intentFile, { force: true });
        await budget.release(ledgers, request.key);
        // 429 was already retried with backoff inside the adapter; a refused connection may pass.
        throw ApplicationFailure.create({ type: status, message, nonRetryable: !submitMayRetry(status) });
      }
      const used = modelOfOperation(operation) ?? model;
      const actual =
        used === model
          ? costUsd
          : (videoCost(prices(), priceProvider(config, 'video'), used, request.durationS) ?? costUsd);
      const result: SubmittedClip = {
        operation,
        provider: video().name,
        model: used,
        costUsd: actual,
        pricedAs: priceProvider(config, 'video'),
      };
      await writeJsonAtomic(record, result);
      await budget.commit(ledgers, request.key, actual);
      return result;
    },

    /** Polls each operation; a finished clip is downloaded at once and must pass cropAndValidate. */
    async pollClips(input: { workspace: string; jobs: PollRequest[] }): Promise<PollResult[]> {
      const ctx = Context.current();
      const rawDir = path.join(input.workspace, 'veo3', 'raw');
      const clipDir = path.join(input.workspace, 'veo3', 'clips');
      await mkdir(rawDir, { recursive: true });
      await mkdir(clipDir, { recursive: true });
      const results: PollResult[] = [];
      for (const job of input.jobs) {
        ctx.heartbeat({ polled: results.length });
        results.push(await pollOne(job, path.join(rawDir, `${job.key}.mp4`), path.join(clipDir, `${job.key}.mp4`)));
      }
      return results;

      async function pollOne(job: PollRequest, raw: string, clip: string): Promise<PollResult> {
        let outcome;
        try {
          outcome = await video().poll(job.operation, raw);
        } catch (err) {
          return { key: job.key, status: 'poll_error', error: (err as Error).message };
        }
        if (outcome.state === 'running') return { key: job.key, status: 'submitted' };
        if (outcome.state === 'failed') return { key: job.key, status: outcome.status, error: outcome.message };
        try {
          await cropAndValidate(raw, clip, {
            ...veoFrameSize(job.aspectRatio),
            durationS: job.durationS,
            cropBottomPx: config.veo3.cropBottomPx,
          });
        } catch (err) {
          if (err instanceof InvalidClipError) return { key: job.key, status: 'invalid_clip', error: err.message };
          throw err;
        }
        return {
          key: job.key,
          status: 'done',
          videoPath: clip,
          ...(outcome.outputTokens !== undefined ? { outputTokens: outcome.outputTokens } : {}),
        };
      }
    },

    /** Mirrors the jobs table to veo3/jobs.json (atomically) and appends job events to events.jsonl. */
    async recordBrollJobs(input: { workspace: string; jobs: BrollJob[]; events: PipelineEvent[] }): Promise<void> {
      const rows = input.jobs.map((job) => Object.fromEntries(FILE_FIELDS.map((field) => [field, job[field]])));
      await writeJsonAtomic(path.join(input.workspace, 'veo3', 'jobs.json'), { jobs: rows });
      if (input.events.length > 0) {
        await appendFile(
          path.join(input.workspace, 'events.jsonl'),
          input.events.map((e) => `${JSON.stringify(e)}\n`).join(''),
        );
      }
    },
  };
}
