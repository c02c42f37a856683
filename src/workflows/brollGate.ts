/**
 * The parent's side of clip generation: starts the brollGeneration child (for a reel, right after
 * CONTENT, without waiting for it), keeps the latest jobs table the child reports, forwards
 * retryBroll/cancelBroll, and runs the gate that waits for the clips. The gate never throws: every
 * path ends in a list of clips, possibly empty. Prompt-to-video uses the same gate for VIDEO_GEN.
 */
import type { ChildWorkflowHandle } from '@temporalio/workflow';
import { condition, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { BrollClip, BrollInput, BrollJob, BrollSnapshot, FinishReason } from '../domain/broll';
import { brollGeneration } from './broll';
import { allFailedRetriably, countByStatus, isSettled } from './classify';
import { brollQuery, brollUpdatedSignal, cancelBrollSignal, finishBrollSignal, retryBrollSignal } from './definitions';
import { meterClips } from './meter';
import type { PipelineRun } from './pipelineRun';

/** How long the gate waits for the child to settle its jobs after being told to finish. */
const CHILD_FINISH_GRACE_MS = 60_000;
export interface GateOptions {
  /** The child's id is `<run id>-<childName>` (then `-2`, `-3`… for later children). */
  childName: string;
  /** Stage name the gate's events carry. */
  stage: string;
  /** Resubmit once when every clip failed retriably (the reel's B-roll rule). */
  autoRetry: boolean;
}

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
  private children = 0;

  constructor(
    private readonly run: PipelineRun,
    private readonly options: GateOptions = { childName: 'broll', stage: 'VEO3_AWAIT', autoRetry: true },
  ) {
    const GATE = options.stage;
    setHandler(brollUpdatedSignal, (snapshot) => {
      this.snapshot = snapshot;
      this.run.progress.broll = countByStatus(snapshot.jobs);
      meterClips(this.run.progress, snapshot.jobs);
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

  /** The latest jobs table (final once the gate has closed). */
  get jobs(): BrollJob[] {
    return (this.final ?? this.snapshot)?.jobs ?? [];
  }

  /** Starts generation in the background; no prompts (or a cancelled run) means no child at all. */
  async start(input: BrollInput): Promise<void> {
    if (input.prompts.length === 0 || this.cancelled) return;
    this.children += 1;
    // A later child (a resumed VIDEO_GEN) starts from a clean slate.
    Object.assign(this, {
      child: undefined,
      snapshot: undefined,
      final: undefined,
      childClosed: false,
      retriesAsked: 0,
      closed: false,
    });
    const workflowId = `${workflowInfo().workflowId}-${this.options.childName}${this.children > 1 ? `-${this.children}` : ''}`;
    try {
      this.child = await startChild(brollGeneration, { workflowId, args: [input] });
    } catch (err) {
      this.run.emit('veo3.generation.start_failed', undefined, { error: (err as Error).message });
      this.childClosed = true;
      return;
    }
    this.run.emit('veo3.generation.started', undefined, { workflowId, clips: input.prompts.length });
    this.child
      .result()
      .then(
        (snapshot) => {
          this.final = snapshot;
          this.run.progress.broll = countByStatus(snapshot.jobs);
          meterClips(this.run.progress, snapshot.jobs);
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
    const GATE = this.options.stage;
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
