/**
 * The parent's side of clip generation: starts the brollGeneration child (for a reel, right after
 * CONTENT, without waiting for it), keeps the latest jobs table the child reports, answers the
 * retryBroll/cancelBroll Updates (and signals), and runs the gate that waits for the clips. The
 * gate never throws: every path ends in a list of clips, possibly empty. Prompt-to-video uses the
 * same gate for VIDEO_GEN, one generation round per attempt of the stage.
 */
import type { ChildWorkflowHandle } from '@temporalio/workflow';
import { condition, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { BrollClip, BrollInput, BrollJob, BrollSnapshot, FinishReason } from '../domain/broll';
import { allFailedRetriably, countByStatus, isSettled } from '../domain/clipStatus';
import type { CancelBrollOutcome, RetryBrollOutcome, RetryBrollRequest } from '../domain/control';
import { JobStatus } from '../domain/broll';
import { brollGeneration } from './broll';
import { retryTargets } from './brollJobs';
import {
  brollQuery,
  brollUpdatedSignal,
  cancelBrollSignal,
  cancelBrollUpdate,
  finishBrollSignal,
  retryBrollSignal,
  retryBrollUpdate,
} from './definitions';
import { meterClips } from './meter';
import type { PipelineRun } from './pipelineRun';

/** How long the gate waits for the child to settle its jobs after being told to finish. */
const CHILD_FINISH_GRACE_MS = 60_000;
export interface GateOptions {
  /** The child's id is `<run id>-<childName>` (then `-2`, `-3`… for later children). */
  childName: string;
  /** Stage name the gate's events carry. */
  stage: string;
  /** Resubmit once, without asking anyone, when every clip failed retriably (the reel's B-roll rule). */
  autoRetry: boolean;
}

/** One child workflow and what the gate knows of it. A resumed VIDEO_GEN gets a fresh round. */
interface Round {
  child: ChildWorkflowHandle<typeof brollGeneration>;
  /** The round's key prefix (`{runId}_…`), to tell its reports from an earlier child's. */
  runId: string;
  snapshot?: BrollSnapshot;
  final?: BrollSnapshot;
  childClosed: boolean;
  /** Why the child failed, if it did (a child whose host was lost fails on its activities' pickup timeout). */
  failure?: unknown;
  /** Keys of jobs taken over from a lost host's child: they keep their own round's prefix. */
  adoptedKeys?: Set<string>;
  /** Retry rounds sent to the child; a table counts as current once it reports this many. */
  retriesAsked: number;
  /** The gate has stopped waiting for this round. */
  closed: boolean;
  cancelled: boolean;
}

export class BrollGate {
  private round?: Round;
  private rounds = 0;
  private autoRetried = false;
  /** Runs recorded before control Updates: a cancel latched for the whole run. */
  private legacyCancelled = false;

  constructor(
    private readonly run: PipelineRun,
    private readonly options: GateOptions = { childName: 'broll', stage: 'VEO3_AWAIT', autoRetry: true },
  ) {
    setHandler(brollUpdatedSignal, (snapshot) => {
      const round = this.round;
      // A late report from an earlier round's child must not overwrite this round's table.
      if (!round) return;
      const ours = (key: string) => key.startsWith(`${round.runId}_`) || round.adoptedKeys?.has(key) === true;
      if (this.run.strict && !snapshot.jobs.every((j) => ours(j.idempotent_key))) return;
      round.snapshot = snapshot;
      this.run.progress.broll = countByStatus(snapshot.jobs);
      meterClips(this.run.progress, snapshot.jobs);
    });
    setHandler(brollQuery, () => this.jobs);
    setHandler(retryBrollSignal, async (request) => {
      if (!this.run.strict) return this.legacyRetry();
      const refusal = this.retryRefusal(request);
      if (refusal) return this.ignored('veo3.retry.ignored', refusal);
      await this.retry(request);
    });
    setHandler(retryBrollUpdate, (request) => this.retry(request), {
      validator: (request) => {
        const refusal = this.retryRefusal(request);
        if (refusal) throw new Error(refusal);
      },
    });
    setHandler(cancelBrollSignal, async () => {
      if (!this.run.strict) {
        this.legacyCancelled = true;
        if (this.round && !this.round.childClosed) await this.tellChild(cancelBrollSignal);
        return;
      }
      const refusal = this.cancelRefusal();
      if (refusal) return this.ignored('veo3.cancel.ignored', refusal);
      await this.cancel();
    });
    setHandler(cancelBrollUpdate, () => this.cancel(), {
      validator: () => {
        const refusal = this.cancelRefusal();
        if (refusal) throw new Error(refusal);
      },
    });
  }

  /** A child was started (its submissions may have reached the provider). */
  get started(): boolean {
    return this.rounds > 0;
  }

  /** Why the current round's child failed (undefined: it has not, or it closed normally). */
  get childFailure(): unknown {
    return this.round?.failure;
  }

  /** The latest jobs table of the current round (final once the gate has closed). */
  get jobs(): BrollJob[] {
    return (this.round?.final ?? this.round?.snapshot)?.jobs ?? [];
  }

  /** Starts generation in the background; no prompts means no child at all. */
  async start(input: BrollInput): Promise<void> {
    if (!this.run.strict && (input.prompts.length === 0 || this.legacyCancelled)) return;
    this.round = undefined;
    if (input.prompts.length === 0) return;
    this.rounds += 1;
    const workflowId = `${workflowInfo().workflowId}-${this.options.childName}${this.rounds > 1 ? `-${this.rounds}` : ''}`;
    let child: ChildWorkflowHandle<typeof brollGeneration>;
    try {
      child = await startChild(brollGeneration, { workflowId, args: [input] });
    } catch (err) {
      this.run.emit('veo3.generation.start_failed', undefined, { error: (err as Error).message });
      return;
    }
    const round: Round = {
      child,
      runId: input.runId,
      childClosed: false,
      ...(input.adopted?.length ? { adoptedKeys: new Set(input.adopted.map((j) => j.idempotent_key)) } : {}),
      retriesAsked: 0,
      closed: false,
      cancelled: false,
    };
    this.round = round;
    this.run.emit('veo3.generation.started', undefined, { workflowId, clips: input.prompts.length });
    child
      .result()
      .then(
        (snapshot) => {
          round.final = snapshot;
          if (this.round === round) {
            this.run.progress.broll = countByStatus(snapshot.jobs);
            meterClips(this.run.progress, snapshot.jobs);
          }
        },
        (err: unknown) => {
          round.failure = err;
          this.run.emit('veo3.generation.failed', undefined, { error: (err as Error).message });
        },
      )
      .finally(() => {
        round.childClosed = true;
      });
  }

  /**
   * VEO3_AWAIT: waits at most `timeoutS` for every clip to settle, retries once when every clip
   * failed retriably (if the flow allows it), then closes generation and returns the clips that exist.
   */
  async await(timeoutS: number): Promise<BrollClip[]> {
    const round = this.round;
    if (!round) return [];
    const GATE = this.options.stage;
    const cancelled = () => (this.run.strict ? round.cancelled : this.legacyCancelled);
    const jobCount = (round.snapshot?.jobs.length ?? 0) || 'all';
    this.run.emit('veo3.gate.started', GATE, { jobs: jobCount, timeoutS });
    const deadline = Date.now() + timeoutS * 1000;
    const ready = () =>
      cancelled() ||
      round.childClosed ||
      (round.snapshot !== undefined &&
        round.snapshot.retries >= round.retriesAsked &&
        round.snapshot.jobs.every((job) => isSettled(job.status)));
    const waitUntilReady = async () => {
      const remaining = deadline - Date.now();
      return remaining > 0 ? condition(ready, remaining) : ready();
    };

    let inTime = await waitUntilReady();
    const mayAutoRetry = this.options.autoRetry || !this.run.strict;
    if (
      mayAutoRetry &&
      inTime &&
      !cancelled() &&
      !round.childClosed &&
      !this.autoRetried &&
      allFailedRetriably(round.snapshot?.jobs ?? [])
    ) {
      // Every clip failed for a reason that may pass: one more round, never two.
      this.autoRetried = true;
      round.retriesAsked += 1;
      this.run.emit('veo3.gate.retried', GATE, { jobs: round.snapshot?.jobs.length ?? 0 });
      await this.tellChild(retryBrollSignal);
      inTime = await waitUntilReady();
    }
    const reason: FinishReason = cancelled() ? 'cancelled' : inTime ? 'finished' : 'timeout';
    round.closed = true;
    if (!round.childClosed) {
      await this.tellChild(finishBrollSignal, reason);
      await condition(() => round.childClosed, CHILD_FINISH_GRACE_MS);
    }

    const jobs = this.jobs;
    const clips = usableClips(jobs);
    if (reason === 'timeout') this.run.emit('veo3.gate.timeout', GATE, { timeoutS, statuses: countByStatus(jobs) });
    this.run.emit('veo3.gate.completed', GATE, { clips: clips.length, reason, statuses: countByStatus(jobs) });
    return clips;
  }

  /** Why a retry makes no sense now (undefined: it does). */
  private retryRefusal(request?: RetryBrollRequest): string | undefined {
    const round = this.round;
    if (!round) return 'no B-roll generation is running in this run';
    if (round.closed || round.childClosed) return 'the B-roll gate has closed: the run went on with the clips it had';
    const failed = retryTargets(this.jobs, request?.keys ?? null, request?.includeUnknown);
    if (failed.length === 0) {
      const unknown = (request?.keys ?? []).filter((key) => !this.jobs.some((j) => j.idempotent_key === key));
      if (unknown.length > 0) return `no such clip: ${unknown.join(', ')}`;
      return `no failed clips to retry (${describeCounts(this.jobs)})`;
    }
    return undefined;
  }

  private async retry(request?: RetryBrollRequest): Promise<RetryBrollOutcome> {
    const round = this.round!;
    const targets = retryTargets(this.jobs, request?.keys ?? null, request?.includeUnknown);
    const repoll = (job: BrollJob) => job.status === JobStatus.POLL_FAILED && job.operation !== null;
    round.retriesAsked += 1;
    this.run.emit('veo3.retry.requested', this.options.stage, { keys: targets.map((j) => j.idempotent_key) });
    await this.tellChild(retryBrollSignal, {
      keys: targets.map((j) => j.idempotent_key),
      ...(request?.includeUnknown ? { includeUnknown: true } : {}),
    });
    return {
      resubmitted: targets.filter((j) => !repoll(j)).map((j) => j.idempotent_key),
      repolled: targets.filter(repoll).map((j) => j.idempotent_key),
    };
  }

  /** The signal's rule before control Updates (kept so those runs replay): forward unless closed. */
  private async legacyRetry(): Promise<void> {
    const round = this.round;
    if (!round || round.closed || round.childClosed) {
      const reason = round ? 'the B-roll gate has closed' : 'no B-roll generation in this run';
      return this.run.emit('veo3.retry.ignored', this.options.stage, { reason });
    }
    round.retriesAsked += 1;
    await this.tellChild(retryBrollSignal);
  }

  private cancelRefusal(): string | undefined {
    const round = this.round;
    if (!round) return 'no B-roll generation is running in this run';
    if (round.closed || round.childClosed) return 'the B-roll gate has closed: the run went on with the clips it had';
    if (round.cancelled) return 'B-roll generation is already being cancelled';
    return undefined;
  }

  /** Stops the round's generation and answers once the child has settled, so the answer is final. */
  private async cancel(): Promise<CancelBrollOutcome> {
    const round = this.round!;
    round.cancelled = true;
    this.run.emit('veo3.cancel.requested', this.options.stage);
    await this.tellChild(cancelBrollSignal);
    await condition(() => round.childClosed, CHILD_FINISH_GRACE_MS);
    const jobs = (round.final ?? round.snapshot)?.jobs ?? [];
    return {
      used: usableClips(jobs).map(({ key, path }) => ({ key, path })),
      stopped: jobs.filter((j) => j.status !== JobStatus.DONE).map((j) => j.idempotent_key),
    };
  }

  private ignored(type: string, reason: string): void {
    this.run.emit(type, this.options.stage, { reason, via: 'signal' });
  }

  private async tellChild(...args: Parameters<ChildWorkflowHandle<typeof brollGeneration>['signal']>): Promise<void> {
    try {
      await this.round?.child.signal(...args);
    } catch {
      // The child has already closed: there is nothing left to tell it.
    }
  }
}

function usableClips(jobs: BrollJob[]): BrollClip[] {
  return jobs
    .filter((job) => job.status === JobStatus.DONE && job.video_path)
    .map((job) => ({
      key: job.idempotent_key,
      path: job.video_path!,
      narrativeAnchor: job.narrative_anchor,
      durationS: job.duration_s,
    }));
}

function describeCounts(jobs: BrollJob[]): string {
  const counts = countByStatus(jobs);
  return Object.keys(counts).length === 0
    ? 'no clips reported yet'
    : Object.entries(counts)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
}
