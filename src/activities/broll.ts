/** B-roll activities: submit a clip, poll (and download, crop, validate) a batch, record the jobs table. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrollJob, PollRequest, PollResult } from '../domain/broll';
import { submitMayRetry } from '../domain/clipStatus';
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

export function createBrollActivities({ config, providers }: ActivityDeps) {
  const video = () => {
    if (!providers) throw new Error('no video provider configured for this worker');
    return providers.video;
  };
  return {
    /**
     * Submits one clip. A record of the operation is kept in the workspace, so a retry of this
     * activity (say, after a worker crash) returns the job it already created.
     */
    async submitClip(input: { workspace: string } & ClipRequest): Promise<{ operation: string; provider: string }> {
      const { workspace, ...request } = input;
      const record = path.join(workspace, 'veo3', 'submitted', `${request.key}.json`);
      const previous = await readFile(record, 'utf8').then(
        (text) => JSON.parse(text) as { operation: string; provider: string },
        () => undefined,
      );
      if (previous) return previous;
      try {
        const operation = await video().submit(request);
        const result = { operation, provider: video().name };
        await writeJsonAtomic(record, result);
        return result;
      } catch (err) {
        if (err instanceof VideoProviderError) {
          // 429 was already retried with backoff and jitter inside the adapter; bad arguments never pass.
          throw ApplicationFailure.create({
            type: err.status,
            message: err.message,
            nonRetryable: !submitMayRetry(err.status),
          });
        }
        throw err;
      }
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
        return { key: job.key, status: 'done', videoPath: clip };
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
