/**
 * Starting and inspecting runs through a Temporal client. The CLI, the demo and (later) the API
 * call these, so all doors start runs the same way.
 */
import { formatRunCost } from '../domain/cost';
import type { EpisodeRequest, EpisodeResult } from '../domain/episode';
import { EpisodeRequestSchema, formatClipTable } from '../domain/episode';
import type { RunSummary } from '../domain/runList';
import { listQuery, RUN_KIND_NAMES } from '../domain/runList';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { runWorkflowId } from '../domain/ids';
import type { Progress } from '../domain/progress';
import type { QaAttempt } from '../domain/qa';
import type { ReelRequest, ReelResult } from '../domain/reel';
import { ReelRequestSchema } from '../domain/reel';
import { parseWith } from '../domain/validation';
import type { RestitchInput, StitchResult, VideoRequestInput, VideoResult } from '../domain/video';
import { VideoRequestSchema } from '../domain/video';
import { z } from 'zod';
import { describeRunFailure, waitingMessage, RunWaitingError } from './control';
import { UsageError } from './usage';
import type { ProjectDetail } from '../api/projects';
import type { BrollJob } from '../domain/broll';
import { hostChangeLines } from '../domain/summary';
import {
  brollQuery,
  PipelineKindKey,
  PipelineStageKey,
  PipelineStatusKey,
  progressQuery,
  WORKFLOW_TYPES,
} from '../workflows/definitions';

const isUrl = (text: string) => /^https?:\/\//i.test(text);

/**
 * The folder the person ran the command from. Under `npm run`, the process starts in the package
 * root and npm keeps the caller's folder in INIT_CWD; relative paths must resolve against that.
 */
export function callerDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.npm_lifecycle_event && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/** Validates a reel request and makes its paths absolute (the worker may run elsewhere in the tree). */
export function prepareReelRequest(input: Record<string, unknown>, cwd = process.cwd()): ReelRequest {
  const parsed = parseWith(ReelRequestSchema, input);
  if (!parsed.ok) throw new UsageError(`invalid reel request: ${parsed.message}`);
  const request = parsed.value;
  return {
    ...request,
    source: isUrl(request.source) ? request.source : path.resolve(cwd, request.source),
    ...(request.transcript ? { transcript: path.resolve(cwd, request.transcript) } : {}),
  };
}

export async function startReel(
  client: Client,
  taskQueue: string,
  request: ReelRequest,
): Promise<WorkflowHandle<(input: ReelRequest) => Promise<ReelResult>>> {
  const name = isUrl(request.source) ? new URL(request.source).pathname : path.parse(request.source).name;
  const workflowId = runWorkflowId('reel', name, randomBytes(3).toString('hex'));
  return client.workflow.start<(input: ReelRequest) => Promise<ReelResult>>(WORKFLOW_TYPES.reel, {
    taskQueue,
    workflowId,
    args: [request],
    typedSearchAttributes: [{ key: PipelineKindKey, value: 'reel' }],
  });
}

/** Validates an episode request and makes its paths absolute, like a reel request. */
export function prepareEpisodeRequest(input: Record<string, unknown>, cwd = process.cwd()): EpisodeRequest {
  const parsed = parseWith(EpisodeRequestSchema, input);
  if (!parsed.ok) throw new UsageError(`invalid episode request: ${parsed.message}`);
  const request = parsed.value;
  return {
    ...request,
    source: isUrl(request.source) ? request.source : path.resolve(cwd, request.source),
    ...(request.transcript ? { transcript: path.resolve(cwd, request.transcript) } : {}),
  };
}

export async function startEpisode(
  client: Client,
  taskQueue: string,
  request: EpisodeRequest,
): Promise<WorkflowHandle<(input: EpisodeRequest) => Promise<EpisodeResult>>> {
  const name = isUrl(request.source) ? new URL(request.source).pathname : path.parse(request.source).name;
  const workflowId = runWorkflowId('episode', name, randomBytes(3).toString('hex'));
  return client.workflow.start<(input: EpisodeRequest) => Promise<EpisodeResult>>(WORKFLOW_TYPES.episode, {
    taskQueue,
    workflowId,
    args: [request],
    typedSearchAttributes: [{ key: PipelineKindKey, value: 'episode' }],
  });
}

export function prepareVideoRequest(input: Record<string, unknown>): VideoRequestInput {
  const parsed = parseWith(VideoRequestSchema, input);
  if (!parsed.ok) throw new UsageError(`invalid video request: ${parsed.message}`);
  return parsed.value;
}

export async function startVideo(
  client: Client,
  taskQueue: string,
  request: VideoRequestInput,
): Promise<WorkflowHandle<(input: VideoRequestInput) => Promise<VideoResult>>> {
  const workflowId = runWorkflowId(
    'video',
    request.prompt.split(/\s+/).slice(0, 5).join(' '),
    randomBytes(3).toString('hex'),
  );
  return client.workflow.start<(input: VideoRequestInput) => Promise<VideoResult>>(WORKFLOW_TYPES.video, {
    taskQueue,
    workflowId,
    args: [request],
    typedSearchAttributes: [{ key: PipelineKindKey, value: 'video' }],
  });
}

/** Stitches a finished video's clips again with another crossfade; generates nothing. */
export async function restitch(
  client: Client,
  taskQueue: string,
  videoWorkflowId: string,
  crossfadeS: number,
): Promise<StitchResult> {
  let video: VideoResult;
  try {
    video = (await client.workflow.getHandle(videoWorkflowId).result()) as VideoResult;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`no run with id ${videoWorkflowId}`);
    throw err;
  }
  const input: RestitchInput = { videoWorkflowId, workspace: video.workspace, clipPaths: video.clipPaths, crossfadeS };
  return client.workflow.execute<(i: RestitchInput) => Promise<StitchResult>>(WORKFLOW_TYPES.restitch, {
    taskQueue,
    workflowId: `${videoWorkflowId}-restitch-${randomBytes(3).toString('hex')}`,
    args: [input],
  });
}

export async function readProgress(client: Client, workflowId: string): Promise<Progress> {
  try {
    return await client.workflow.getHandle(workflowId).query(progressQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`no run with id ${workflowId}`);
    throw err;
  }
}

/** A few lines a person can read: where the run is, and how long each stage took. */
export function formatProgress(progress: Progress): string {
  const lines = [`${progress.workflowId}  ${progress.kind}  ${progress.status}  stage ${progress.stage}`];
  for (const stage of progress.stages) {
    const took = stage.durationMs === undefined ? '' : `${(stage.durationMs / 1000).toFixed(1)} s`;
    const attempts = stage.attempts > 1 ? `  (${stage.attempts} attempts)` : '';
    lines.push(`  ${stage.stage.padEnd(18)} ${stage.status.padEnd(10)} ${took.padStart(8)}${attempts}`);
    if (stage.error) lines.push(`    error: ${stage.error}`);
    lines.push(...qaLines(stage.qa ?? []).map((line) => `    ${line}`));
  }
  if (progress.clips?.length) lines.push('', formatClipTable(progress.clips));
  if (progress.episodeId) lines.push(`  clip of episode ${progress.episodeId}`);
  lines.push(...hostChangeLines(progress.hostChanges ?? []).map((line) => `  ${line}`));
  if (progress.cost) lines.push(...formatRunCost(progress.cost, progress.workflowId));
  return lines.join('\n');
}

/** `reelflow status`: the progress, then — for a run that stopped — why, and what to do. */
export function formatStatus(detail: ProjectDetail): string {
  const { id, status, execution, error, failedStage, awaitingResume, progress } = detail;
  const lines = progress
    ? [formatProgress({ ...progress, status: status as Progress['status'] })]
    : [`${id}  ${status}${execution !== status ? ` (Temporal: ${execution})` : ''}`];
  if (awaitingResume) lines.push(`waiting for resume: ${error ?? ''}`, `  resume with: reelflow resume ${id}`);
  else if (error && execution !== 'RUNNING') lines.push(`failed${failedStage ? ` at ${failedStage}` : ''}: ${error}`);
  return lines.join('\n');
}

/** QA attempts worth a line: reworks and failures (a first-time pass says nothing new), and warnings. */
function qaLines(attempts: QaAttempt[]): string[] {
  const verdicts = attempts.every((a) => a.verdict === 'PASS')
    ? []
    : attempts.map(
        (a) =>
          `QA attempt ${a.attempt}: ${a.verdict} (score ${a.score})${a.feedback.length ? ` — ${a.feedback.join('; ')}` : ''}`,
      );
  return [...verdicts, ...attempts.flatMap((a) => (a.warnings ?? []).map((w) => `QA warning: ${w}`))];
}

/**
 * Waits for a run's result while calling `onProgress` whenever the progress changes (polling the
 * query). Used by the demo and `--wait`. A run that stops at a stage to wait for `resume` ends the
 * wait with a RunWaitingError (why, and the command that resumes it); a run that fails ends it
 * with its root cause.
 */
export async function followRun<T>(
  handle: WorkflowHandle,
  onProgress: (progress: Progress, previous?: Progress) => void,
  intervalMs = 500,
): Promise<T> {
  let previous: Progress | undefined;
  let done = false;
  const result = (handle.result() as Promise<T>).finally(() => {
    done = true;
  });
  // Handled below; this keeps an early failure from counting as unhandled while the poll runs.
  result.catch(() => undefined);
  const look = async () => {
    try {
      const progress = await handle.query(progressQuery);
      if (JSON.stringify(progress) !== JSON.stringify(previous)) {
        onProgress(progress, previous);
        previous = progress;
      }
      return progress;
    } catch {
      // The first workflow task may not have run yet, or a closed run has no worker to answer.
      return undefined;
    }
  };
  while (!done) {
    const progress = await look();
    if (progress?.awaitingResume) throw new RunWaitingError(waitingMessage(progress));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  try {
    const value = await result;
    await look(); // one last look, so the caller sees the final stages
    return value;
  } catch (err) {
    await look();
    throw describeRunFailure(err, handle.workflowId);
  }
}

/** Prints stage transitions as they happen: `▶ RESEARCH` on start, `✓ RESEARCH 1.2 s` on completion. */
export function stageLogger(print: (line: string) => void) {
  return (progress: Progress, previous?: Progress) => {
    for (const stage of progress.stages) {
      const before = previous?.stages.find((s) => s.stage === stage.stage);
      const seenQa = before?.qa?.length ?? 0;
      for (const attempt of (stage.qa ?? []).slice(seenQa)) {
        for (const line of qaLines([attempt]))
          print(`  ${line.startsWith('QA warning') ? '!' : '↻'} ${stage.stage} ${line}`);
      }
      if (before?.status === stage.status && before.attempts === stage.attempts) continue;
      // A fast stage can start and finish between two polls: still show that it started.
      if (stage.status === 'running' || !before) print(`▶ ${stage.stage}`);
      if (stage.status === 'running') continue;
      if (stage.status === 'completed') print(`✓ ${stage.stage}  ${((stage.durationMs ?? 0) / 1000).toFixed(1)} s`);
      else print(`✗ ${stage.stage}  ${stage.error ?? ''}`);
    }
    // An episode's clips: one line whenever a clip's stage or status changes.
    for (const clip of progress.clips ?? []) {
      const before = previous?.clips?.find((c) => c.rank === clip.rank);
      if (before?.status === clip.status && before.stage === clip.stage) continue;
      if (clip.status === 'pending') continue;
      const where = clip.status === 'running' ? `▶ ${clip.stage ?? 'started'}` : clip.status;
      print(`  clip ${clip.rank} (${clip.score}) ${where}${clip.error ? `: ${clip.error}` : ''}`);
    }
  };
}

export const ListFiltersSchema = z
  .object({
    kind: z.enum(RUN_KIND_NAMES).optional(),
    status: z.enum(['RUNNING', 'FAILED', 'COMPLETED', 'CANCELLED']).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
  })
  .strict();
export type ListFilters = z.infer<typeof ListFiltersSchema>;

export async function listRuns(client: Client, filters: ListFilters): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for await (const execution of client.workflow.list({ query: listQuery(filters) })) {
    const attrs = execution.typedSearchAttributes;
    runs.push({
      workflowId: execution.workflowId,
      kind: attrs.get(PipelineKindKey) ?? '',
      status: attrs.get(PipelineStatusKey) ?? '',
      stage: attrs.get(PipelineStageKey) ?? '',
      startedAt: execution.startTime.toISOString(),
      ...(execution.closeTime ? { closedAt: execution.closeTime.toISOString() } : {}),
      execution: execution.status.name,
    });
    if (runs.length >= filters.limit) break;
  }
  return runs;
}

export function formatRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  const row = (id: string, kind: string, status: string, stage: string, started: string) =>
    `${id.padEnd(40)} ${kind.padEnd(7)} ${status.padEnd(10)} ${stage.padEnd(18)} ${started}`;
  return [
    row('RUN', 'KIND', 'STATUS', 'STAGE', 'STARTED'),
    // A closed run's stage is its ending (COMPLETED, FAILED…), which the status already says.
    ...runs.map((r) => row(r.workflowId, r.kind, r.status, r.stage === r.status ? '—' : r.stage, r.startedAt)),
  ].join('\n');
}

export async function readBroll(client: Client, workflowId: string): Promise<BrollJob[]> {
  try {
    return await client.workflow.getHandle(workflowId).query(brollQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`no run with id ${workflowId}`);
    throw err;
  }
}
