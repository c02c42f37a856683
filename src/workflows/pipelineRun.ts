/**
 * Bookkeeping shared by pipeline workflows: the `progress` query, search attributes, pipeline
 * events, and the "a failed stage waits for `resume`" rule. Deterministic: time comes from the
 * workflow sandbox's Date.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { INPUT_ERROR_TYPES } from '../domain/errors';
import type { PipelineEvent, PipelineKind, Progress, StageRecord } from '../domain/progress';
import type { QaAttempt } from '../domain/qa';
import { PipelineStatus } from '../domain/progress';
import { meterResult } from './meter';
import { PipelineKindKey, PipelineStageKey, PipelineStatusKey, progressQuery, resumeSignal } from './definitions';

export type AppendEvents = (input: { workflowId: string; events: PipelineEvent[] }) => Promise<void>;

export class PipelineRun {
  readonly progress: Progress;
  private pendingEvents: PipelineEvent[] = [];
  private resumeRequested = false;

  constructor(
    kind: PipelineKind,
    firstStage: string,
    private readonly appendEvents: AppendEvents,
    /** Names a flow gives its stages for people (the video flow's phases). */
    private readonly phaseOf?: (stage: string, status: PipelineStatus) => string,
  ) {
    const { workflowId } = workflowInfo();
    this.progress = {
      kind,
      workflowId,
      stage: firstStage,
      status: PipelineStatus.RUNNING,
      startedAt: new Date().toISOString(),
      stages: [],
      events: [],
      ...(phaseOf ? { phase: phaseOf('PENDING', PipelineStatus.RUNNING) } : {}),
    };
    setHandler(progressQuery, () => this.progress);
    setHandler(resumeSignal, () => {
      this.resumeRequested = true;
    });
    upsertSearchAttributes([
      { key: PipelineKindKey, value: kind },
      { key: PipelineStageKey, value: firstStage },
      { key: PipelineStatusKey, value: PipelineStatus.RUNNING },
    ]);
  }

  /** Records a pipeline event; it reaches events.jsonl at the next flush. */
  emit(type: string, stage?: string, data?: Record<string, unknown>): void {
    const event: PipelineEvent = {
      at: new Date().toISOString(),
      type,
      ...(stage ? { stage } : {}),
      ...(data ? { data } : {}),
    };
    this.progress.events.push(event);
    this.pendingEvents.push(event);
  }

  /**
   * Writes pending events to the workspace in one cheap activity (one call per stage, not per
   * event). events.jsonl is a view of the workflow's state, so a failed write never fails a stage
   * or the run: the events stay pending and go out with the next flush.
   */
  async flushEvents(): Promise<void> {
    if (this.pendingEvents.length === 0) return;
    const events = this.pendingEvents;
    this.pendingEvents = [];
    try {
      await this.appendEvents({ workflowId: this.progress.workflowId, events });
    } catch (err) {
      if (isCancellation(err)) throw err;
      this.pendingEvents = [...events, ...this.pendingEvents];
    }
  }

  /**
   * Runs one stage. On success returns its result; on a failure caused by the input the run fails
   * at once; on any other failure (after the activity's own retries) the run shows FAILED and
   * waits for `resume`, then runs the stage again. Completed stages are never rerun: their results
   * live in history.
   */
  async stage<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const record: StageRecord = { stage, status: 'running', startedAt: new Date().toISOString(), attempts: 1 };
    this.progress.stages.push(record);
    this.setStage(stage, PipelineStatus.RUNNING);
    this.emit('pipeline.stage.started', stage);
    for (;;) {
      try {
        const result = await work();
        meterResult(this.progress, result);
        record.status = 'completed';
        record.durationMs = Date.now() - Date.parse(record.startedAt);
        delete record.error;
        this.emit('pipeline.stage.completed', stage, { durationMs: record.durationMs, attempts: record.attempts });
        await this.flushEvents();
        return result;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const { message, type } = describeFailure(err);
        record.status = 'failed';
        record.error = message;
        record.durationMs = Date.now() - Date.parse(record.startedAt);
        this.progress.error = `${stage}: ${message}`;
        this.emit('pipeline.stage.failed', stage, { error: message, ...(type ? { type } : {}) });
        if (type && INPUT_ERROR_TYPES.includes(type)) {
          this.setStage('FAILED', PipelineStatus.FAILED);
          await this.flushEvents();
          throw ApplicationFailure.create({ type, message: `${stage} failed: ${message}`, nonRetryable: true });
        }
        this.setStage(stage, PipelineStatus.FAILED);
        await this.flushEvents();
        await condition(() => this.resumeRequested);
        this.resumeRequested = false;
        record.attempts += 1;
        record.status = 'running';
        delete this.progress.error;
        this.setStage(stage, PipelineStatus.RUNNING);
        this.emit('pipeline.stage.resumed', stage, { attempt: record.attempts });
      }
    }
  }

  /** Adds a QA attempt and its verdict to the stage's record (the progress query shows them). */
  recordQa(stage: string, attempt: QaAttempt): void {
    const record = [...this.progress.stages].reverse().find((r) => r.stage === stage);
    if (record) record.qa = [...(record.qa ?? []), attempt];
  }

  complete(): void {
    this.progress.completedAt = new Date().toISOString();
    this.emit('pipeline.run.completed');
    this.setStage('COMPLETED', PipelineStatus.COMPLETED);
  }

  private setStage(stage: string, status: PipelineStatus): void {
    this.progress.stage = stage;
    this.progress.status = status;
    if (this.phaseOf) this.progress.phase = this.phaseOf(stage, status);
    upsertSearchAttributes([
      { key: PipelineStageKey, value: stage },
      { key: PipelineStatusKey, value: status },
    ]);
  }
}

/** The innermost message and failure type of an activity or application failure. */
export function describeFailure(err: unknown): { message: string; type?: string } {
  let current: unknown = err;
  if (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) return { message: current.message, type: current.type ?? undefined };
  if (current instanceof Error) return { message: current.message };
  return { message: String(current) };
}
