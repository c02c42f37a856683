/**
 * Faults the local Veo server injects on request, so tests and demos exercise every failure class
 * through the real SDK. A rule applies to submissions whose prompt contains `match`.
 */
/** Faults of the submission itself: the provider answers with an error and creates no job. */
export const SUBMIT_FAULTS = [
  /** HTTP 429 RESOURCE_EXHAUSTED on submit, `times` times (default: always). */
  'rate_limit',
  /** HTTP 400 INVALID_ARGUMENT on submit. */
  'invalid_argument',
  /** HTTP 500 on submit (a transient provider error). */
  'server_error',
] as const;

/** Faults of an accepted job: what its operation or its video turns out to be. */
export const JOB_FAULTS = [
  /** The operation finishes with an error. */
  'operation_error',
  /** The operation finishes with every sample removed by the safety filter. */
  'safety',
  /** The operation takes `delayS` longer than usual. */
  'slow',
  /** The operation never finishes. */
  'hang',
  /** The finished video is not a video. */
  'corrupt',
  /** The finished video is black. */
  'black',
  /** The finished video's download answers 404. */
  'download_404',
] as const;

/** Job faults whose operation ends in an error: nothing is rendered for them. */
export const FAILURE_FAULTS: readonly FaultKind[] = ['operation_error', 'safety'];

export const FAULT_KINDS = [
  ...SUBMIT_FAULTS,
  ...JOB_FAULTS,
  /**
   * The job is created (and counted), but the answer to the submission is held until the test
   * releases it (LocalVeoServer.releaseHeld): a worker can be killed after the provider accepted a
   * job and before its record is written.
   */
  'hold',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  match: string;
  fault: FaultKind;
  /** For submit faults: how many submissions fail before one succeeds (default: all). */
  times?: number;
  /** For `slow`: extra seconds. */
  delayS?: number;
}

export class FaultPlan {
  private readonly hits = new Map<FaultRule, number>();

  constructor(private rules: FaultRule[] = []) {}

  set(rules: FaultRule[]): void {
    this.rules = rules;
    this.hits.clear();
  }

  /** The first rule matching `prompt` that is still active; counts a hit for limited rules. */
  take(prompt: string, kinds: readonly FaultKind[]): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!kinds.includes(rule.fault) || !prompt.includes(rule.match)) continue;
      const used = this.hits.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) continue;
      this.hits.set(rule, used + 1);
      return rule;
    }
    return undefined;
  }
}
