/**
 * Bookkeeping shared by pipeline workflows: the `progress` query, search attributes, pipeline
 * events, the `resume` Update, and the rules every run keeps: a failed stage waits for `resume`,
 * and a closed run's search attributes say how it ended, on every path. Deterministic: time comes
 * from the workflow sandbox's Date.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import { activityRetriesOf } from '../domain/attempts';
import type { ResumeOutcome } from '../domain/control';
import { ErrorType, INPUT_ERROR_TYPES } from '../domain/errors';
import type { HostChange, PipelineEvent, PipelineKind, Progress, StageRecord } from '../domain/progress';
import type { QaAttempt } from '../domain/qa';
import { PipelineStatus } from '../domain/progress';
import { parseWith } from '../domain/validation';
import {
  PipelineKindKey,
  PipelineStageKey,
  PipelineStatusKey,
  progressQuery,
  resumeSignal,
  resumeUpdate,
} from './definitions';
import type { RunRoute } from './activityRoutes';
import { HOST_UNREACHABLE } from './hostWatch';
import { meterRefusedCall, meterResult } from './meter';

export type AppendEvents = (input: { workflowId: string; events: PipelineEvent[] }) => Promise<void>;

/**
 * Runs started before control became Updates replay with the old rules (a resume signal latched,
 * a cancelled gate stayed cancelled, no search attributes on a failed close): those rules decided
 * the commands in their histories.
 */
export const CONTROL_UPDATES_PATCH = 'control-updates';

/** Stage names of a closed run. */
export const ClosedStage = { COMPLETED: 'COMPLETED', FAILED: 'FAILED', CANCELLED: 'CANCELLED' } as const;

/** The failure type of a stage whose host stopped picking up its work (see `PipelineRun.failover`). */
export const HOST_LOST = 'host_lost';

/** The stage whose host was lost and why: the details of a HOST_LOST failure. */
export interface HostLost {
  stage: string;
  reason: string;
}

/** The stage and reason of a HOST_LOST failure thrown by `PipelineRun.stage`. */
export function hostLostOf(err: unknown): HostLost | undefined {
  if (!(err instanceof ApplicationFailure) || err.type !== HOST_LOST) return undefined;
  return err.details?.[0] as HostLost | undefined;
}

/**
 * Why a failure means the run's host is gone: an activity on a host queue that no worker started in
 * time, or a media call whose host did not answer the liveness watch (src/workflows/hostWatch.ts).
 */
export function hostLostReason(err: unknown): string | undefined {
  if (err instanceof ApplicationFailure && (err.type === HOST_UNREACHABLE || err.type === HOST_LOST))
    return err.message;
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof TimeoutFailure)) return undefined;
  if (err.cause.timeoutType !== 'SCHEDULE_TO_START') return undefined;
  // Only host queues set a schedule-to-start timeout (src/workflows/activityRoutes.ts hostRoute).
  return `no worker of the run's host started ${err.activityType} within its pickup timeout`;
}

export class PipelineRun {
  readonly progress: Progress;
  /** False only when replaying a run recorded before the control Updates. */
  readonly strict: boolean;
  private pendingEvents: PipelineEvent[] = [];
  private resumeRequested = false;
  /** The failed stage while the run waits for `resume`. */
  private waiting?: StageRecord;
  /**
   * Set by a flow that moves to another host when its host is lost (reel.ts, under patched('host-failover')):
   * such a failure then ends the stage with a HOST_LOST failure instead of waiting for resume.
   */
  failover = false;
  /** Told of every stage or status change (an episode's clip reports them to its episode). */
  onStageChange?: (progress: Progress) => void;

  constructor(
    kind: PipelineKind,
    firstStage: string,
    private readonly appendEvents: AppendEvents,
    /** Names a flow gives its stages for people (the video flow's phases). */
    private readonly phaseOf?: (stage: string, status: PipelineStatus) => string,
  ) {
    this.strict = patched(CONTROL_UPDATES_PATCH);
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
      if (this.strict && !this.waiting) {
        this.emit('pipeline.resume.ignored', undefined, { reason: this.notWaitingReason(), via: 'signal' });
        return;
      }
      this.resumeRequested = true;
    });
    setHandler(
      resumeUpdate,
      (): ResumeOutcome => {
        const record = this.waiting!;
        this.resumeRequested = true;
        return { stage: record.stage, attempt: record.attempts + 1 };
      },
      {
        validator: () => {
          if (!this.waiting || this.resumeRequested) throw new Error(this.notWaitingReason());
        },
      },
    );
    upsertSearchAttributes([
      { key: PipelineKindKey, value: kind },
      { key: PipelineStageKey, value: firstStage },
      { key: PipelineStatusKey, value: PipelineStatus.RUNNING },
    ]);
  }

  /**
   * The workflow's body. Whatever way it ends — completed, failed at a stage, failed on input,
   * cancelled — the search attributes and `progress` say so before the run closes, and message
   * handlers (an Update still answering) finish first.
   */
  async execute<T>(body: () => Promise<T>): Promise<T> {
    try {
      const result = await body();
      if (this.strict) await condition(allHandlersFinished);
      return result;
    } catch (err) {
      if (this.strict) await this.closeWith(err);
      throw err;
    }
  }

  /** Validates the workflow input; a bad input closes the run at once, naming each field. */
  validate<T>(schema: z.ZodType<T>, input: unknown, workflowType: string): T {
    const parsed = parseWith(schema, input);
    if (parsed.ok) return parsed.value;
    throw ApplicationFailure.create({
      type: ErrorType.INVALID_REQUEST,
      message: `invalid ${workflowType} input: ${parsed.message}`,
      nonRetryable: true,
    });
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
        // An activity the worker ran again (a crash, a timeout) counts as an attempt too.
        record.attempts += activityRetriesOf(result);
        record.status = 'completed';
        record.durationMs = Date.now() - Date.parse(record.startedAt);
        delete record.error;
        this.emit('pipeline.stage.completed', stage, { durationMs: record.durationMs, attempts: record.attempts });
        await this.flushEvents();
        return result;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const lost = this.failover ? hostLostReason(err) : undefined;
        if (lost) {
          // No event flush here: it would go to the lost host's queue. The events follow the run.
          record.status = 'failed';
          record.error = lost;
          record.durationMs = Date.now() - Date.parse(record.startedAt);
          this.emit('pipeline.stage.failed', stage, { error: lost, type: HOST_LOST });
          const details: HostLost = { stage, reason: lost };
          throw ApplicationFailure.create({
            type: HOST_LOST,
            message: `${stage}: ${lost}`,
            nonRetryable: true,
            details: [details],
          });
        }
        const { message, type } = describeLoss(err) ?? describeFailure(err);
        record.status = 'failed';
        record.error = message;
        record.durationMs = Date.now() - Date.parse(record.startedAt);
        this.progress.error = `${stage}: ${message}`;
        this.progress.failedStage = stage;
        if (type) this.progress.errorType = type;
        if (type === 'over_budget') meterRefusedCall(this.progress, stage, message);
        this.emit('pipeline.stage.failed', stage, { error: message, ...(type ? { type } : {}) });
        if (type && INPUT_ERROR_TYPES.includes(type)) {
          this.setStage(ClosedStage.FAILED, PipelineStatus.FAILED);
          await this.flushEvents();
          throw ApplicationFailure.create({ type, message: `${stage} failed: ${message}`, nonRetryable: true });
        }
        // Waiting from the moment it shows FAILED: a resume sent while the events are written counts.
        this.waiting = record;
        this.progress.awaitingResume = true;
        this.setStage(stage, PipelineStatus.FAILED);
        await this.flushEvents();
        await condition(() => this.resumeRequested);
        this.resumeRequested = false;
        this.waiting = undefined;
        delete this.progress.awaitingResume;
        record.attempts += 1;
        record.status = 'running';
        delete this.progress.error;
        delete this.progress.failedStage;
        delete this.progress.errorType;
        this.setStage(stage, PipelineStatus.RUNNING);
        this.emit('pipeline.stage.resumed', stage, { attempt: record.attempts });
      }
    }
  }

  /**
   * After the run's host was lost: claims another host through the shared queue (any live worker
   * answers; with none alive it waits for one) and says so where people look (progress, status,
   * summary, events). `taken`: what the new host takes over; `event`: more for the event.
   */
  async moveHost(
    route: RunRoute,
    lost: HostLost,
    taken: Pick<HostChange, 'brollAdopted' | 'brollDropped'> = {},
    event: Record<string, unknown> = {},
  ): Promise<void> {
    const from = route.host!.hostId;
    const to = (await route.pin())!.hostId;
    const change = { at: new Date().toISOString(), from, to, stage: lost.stage, reason: lost.reason };
    this.progress.hostChanges = [...(this.progress.hostChanges ?? []), { ...change, ...taken }];
    this.emit('pipeline.host.changed', lost.stage, { ...change, ...event });
  }

  /** Adds a QA attempt and its verdict to the stage's record (the progress query shows them). */
  recordQa(stage: string, attempt: QaAttempt): void {
    const record = [...this.progress.stages].reverse().find((r) => r.stage === stage);
    if (record) record.qa = [...(record.qa ?? []), attempt];
  }

  complete(): void {
    this.progress.completedAt = new Date().toISOString();
    this.emit('pipeline.run.completed');
    this.setStage(ClosedStage.COMPLETED, PipelineStatus.COMPLETED);
  }

  /** Why `resume` is refused now, in words a person can act on. */
  private notWaitingReason(): string {
    const { status, stage } = this.progress;
    if (status === PipelineStatus.COMPLETED) return 'the run has completed: there is nothing to resume';
    if (this.resumeRequested) return `stage ${stage} is already being resumed`;
    return `the run is not waiting for resume: stage ${stage} is ${status === PipelineStatus.RUNNING ? 'running' : status.toLowerCase()}`;
  }

  /** The run is closing on an error: the search attributes and progress say how. */
  private async closeWith(err: unknown): Promise<void> {
    const cancelled = isCancellation(err);
    const { message, type } = describeFailure(err);
    this.progress.completedAt = new Date().toISOString();
    delete this.progress.awaitingResume;
    if (cancelled) {
      this.emit('pipeline.run.cancelled', this.progress.stage);
      this.setStage(ClosedStage.CANCELLED, PipelineStatus.CANCELLED);
    } else if (this.progress.stage !== ClosedStage.FAILED) {
      this.progress.failedStage ??= this.progress.stage;
      this.progress.error ??= message;
      if (type) this.progress.errorType ??= type;
      this.emit('pipeline.run.failed', this.progress.failedStage, { error: message, ...(type ? { type } : {}) });
      this.setStage(ClosedStage.FAILED, PipelineStatus.FAILED);
    }
    // A run that failed before ROUTER made its workspace has nowhere to write events, and one whose
    // host is lost (a clip that moves with its episode) would wait a pickup timeout for the dead host.
    const hostLost = err instanceof ApplicationFailure && err.type === HOST_LOST;
    if (this.progress.workspace && !hostLost) await CancellationScope.nonCancellable(() => this.flushEvents());
  }

  private setStage(stage: string, status: PipelineStatus): void {
    this.progress.stage = stage;
    this.progress.status = status;
    if (this.phaseOf) this.progress.phase = this.phaseOf(stage, status);
    upsertSearchAttributes([
      { key: PipelineStageKey, value: stage },
      { key: PipelineStatusKey, value: status },
    ]);
    this.onStageChange?.(this.progress);
  }
}

/**
 * A lost host in a run that does not move (one recorded before its flow's failover patch): said as
 * such, with what resume does, instead of the SDK's timeout message.
 */
function describeLoss(err: unknown): { message: string; type: string } | undefined {
  const lost = hostLostReason(err);
  if (!lost) return undefined;
  return { message: `${lost}; resume runs it again once that host is back`, type: HOST_LOST };
}

/** The innermost message and failure type of an activity or application failure. */
export function describeFailure(err: unknown): { message: string; type?: string } {
  let current: unknown = err;
  if (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) return { message: current.message, type: current.type ?? undefined };
  if (current instanceof Error) return { message: current.message };
  return { message: String(current) };
}
