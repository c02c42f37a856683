/**
 * The parent's side of B-roll: starts the brollGeneration child right after CONTENT (without
 * waiting for it), keeps the latest jobs table the child reports, forwards retryBroll/cancelBroll,
 * and runs the VEO3_AWAIT gate. B-roll never fails the run: every path ends in a list of clips,
 * possibly empty.
 */
import type { ChildWorkflowHandle } from '@temporalio/workflow';
import { condition, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { BrollClip, BrollInput, BrollSnapshot, FinishReason } from '../domain/broll';
import { brollGeneration } from './broll';
import { allFailedRetriably, countByStatus, isSettled } from './classify';
import { brollQuery, brollUpdatedSignal, cancelBrollSignal, finishBrollSignal, retryBrollSignal } from './definitions';
import type { PipelineRun } from './pipelineRun';

/** How long the gate waits for the child to settle its jobs after being told to finish. */
const CHILD_FINISH_GRACE_MS = 60_000;
const GATE = 'VEO3_AWAIT';

export class BrollGate {
  private child?: ChildWorkflowHandle<typeof brollGeneration>;
  private snapshot?: BrollSnapshot;
  private final?: BrollSnapshot;
  private childClosed = false;
  /** Retry rounds sent to the child; a table counts as current once it reports this many. */
  private retriesAsked = 0;
  private autoRetried = false;
  private cancelled = false;
  private closed = false;

  constructor(private readonly run: PipelineRun) {
    setHandler(brollUpdatedSignal, (snapshot) => {
      this.snapshot = snapshot;
      this.run.progress.broll = countByStatus(snapshot.jobs);
    });
    setHandler(brollQuery, () => (this.final ?? this.snapshot)?.jobs ?? []);
    setHandler(retryBrollSignal, async () => {
      if (!this.child || this.closed || this.childClosed) {
        this.run.emit('veo3.retry.ignored', GATE, {
          reason: this.child ? 'the B-roll gate has closed' : 'no B-roll generation in this run',
        });
        return;
      }
      this.retriesAsked += 1;
      await this.tellChild(retryBrollSignal);
    });
    setHandler(cancelBrollSignal, async () => {
      this.cancelled = true;
      if (this.child && !this.childClosed) await this.tellChild(cancelBrollSignal);
    });
  }

  /** Starts generation in the background; no prompts (or a cancelled run) means no child at all. */
  async start(input: BrollInput): Promise<void> {
    if (input.prompts.length === 0 || this.cancelled) return;
    const workflowId = `${workflowInfo().workflowId}-broll`;
    try {
      this.child = await startChild(brollGeneration, { workflowId, args: [input] });
    } catch (err) {
      this.run.emit('veo3.generation.start_failed', undefined, { error: (err as Error).message });
      return;
    }
    this.run.emit('veo3.generation.started', undefined, { workflowId, clips: input.prompts.length });
    this.child
      .result()
      .then(
        (snapshot) => {
          this.final = snapshot;
          this.run.progress.broll = countByStatus(snapshot.jobs);
        },
        (err: unknown) => this.run.emit('veo3.generation.failed', undefined, { error: (err as Error).message }),
      )
      .finally(() => {
        this.childClosed = true;
      });
  }

  /**
   * VEO3_AWAIT: waits at most `timeoutS` for every clip to settle, retries once when every clip
   * failed retriably, then closes generation and returns the clips that exist.
   */
  async await(timeoutS: number): Promise<BrollClip[]> {
    if (!this.child) return [];
    const jobCount = (this.snapshot?.jobs.length ?? 0) || 'all';
    this.run.emit('veo3.gate.started', GATE, { jobs: jobCount, timeoutS });
    const deadline = Date.now() + timeoutS * 1000;
    const ready = () =>
      this.cancelled ||
      this.childClosed ||
      (this.snapshot !== undefined &&
        this.snapshot.retries >= this.retriesAsked &&
        this.snapshot.jobs.every((job) => isSettled(job.status)));
    const waitUntilReady = async () => {
      const remaining = deadline - Date.now();
      return remaining > 0 ? condition(ready, remaining) : ready();
    };

    let inTime = await waitUntilReady();
    if (
      inTime &&
      !this.cancelled &&
      !this.childClosed &&
      !this.autoRetried &&
      allFailedRetriably(this.snapshot?.jobs ?? [])
    ) {
      // Every clip failed for a reason that may pass: one more round, never two.
      this.autoRetried = true;
      this.retriesAsked += 1;
      this.run.emit('veo3.gate.retried', GATE, { jobs: this.snapshot?.jobs.length ?? 0 });
      await this.tellChild(retryBrollSignal);
      inTime = await waitUntilReady();
    }
    const reason: FinishReason = this.cancelled ? 'cancelled' : inTime ? 'finished' : 'timeout';
    this.closed = true;
    if (!this.childClosed) {
      await this.tellChild(finishBrollSignal, reason);
      await condition(() => this.childClosed, CHILD_FINISH_GRACE_MS);
    }

    const jobs = (this.final ?? this.snapshot)?.jobs ?? [];
    const clips: BrollClip[] = jobs
      .filter((job) => job.status === 'done' && job.video_path)
      .map((job) => ({
        key: job.idempotent_key,
        path: job.video_path!,
        narrativeAnchor: job.narrative_anchor,
        durationS: job.duration_s,
      }));
    if (reason === 'timeout') this.run.emit('veo3.gate.timeout', GATE, { timeoutS, statuses: countByStatus(jobs) });
    this.run.emit('veo3.gate.completed', GATE, { clips: clips.length, reason, statuses: countByStatus(jobs) });
    return clips;
  }

  private async tellChild(...args: Parameters<ChildWorkflowHandle<typeof brollGeneration>['signal']>): Promise<void> {
    try {
      await this.child?.signal(...args);
    } catch {
      // The child has already closed: there is nothing left to tell it.
    }
  }
}
