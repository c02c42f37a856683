/**
 * What the control Updates answer. A caller (CLI, API, `temporal workflow update execute`) gets
 * one of these back, or a rejection that says why the request makes no sense now.
 */

/** `resume`: the stage that runs again, and which attempt this is. */
export interface ResumeOutcome {
  stage: string;
  attempt: number;
}

/** `retryBroll`'s optional argument: which failed clips (default: all of them). */
export interface RetryBrollRequest {
  keys?: string[];
  /**
   * Also resubmit clips whose submission is unknown (submit_unknown): the provider may already be
   * generating — and charging for — them, so only a person asks for this, knowingly.
   */
  includeUnknown?: boolean;
}

/** `retryBroll`: clips submitted again (new paid generation) and clips polled again (no new generation). */
export interface RetryBrollOutcome {
  resubmitted: string[];
  repolled: string[];
}

/** `cancelBroll`: the clips the run goes on with, and the ones that stopped. */
export interface CancelBrollOutcome {
  used: { key: string; path: string }[];
  stopped: string[];
}

/** Names of the control messages, accepted both as Updates (with an answer) and as signals. */
export const ControlName = {
  RESUME: 'resume',
  RETRY_BROLL: 'retryBroll',
  CANCEL_BROLL: 'cancelBroll',
} as const;
export type ControlName = (typeof ControlName)[keyof typeof ControlName];
