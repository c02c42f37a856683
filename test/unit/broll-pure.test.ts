import { describe, expect, it } from 'vitest';
import { nextPollDelay } from '../../src/workflows/backoff';
import {
  classifyOperationError,
  classifySubmitError,
  isFailed,
  isRetriable,
  isSettled,
  statusOfSubmitFailure,
} from '../../src/domain/clipStatus';

const settings = { initialMs: 5_000, maxMs: 30_000 };

describe('nextPollDelay', () => {
  it('starts at 5 s, doubles while nothing changes, and caps at 30 s', () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let i = 0; i < 6; i++) delays.push((delay = nextPollDelay(delay, false, settings)));
    expect(delays).toEqual([5_000, 10_000, 20_000, 30_000, 30_000, 30_000]);
  });

  it('goes back to 5 s whenever a status changes', () => {
    expect(nextPollDelay(30_000, true, settings)).toBe(5_000);
    expect(nextPollDelay(20_000, true, settings)).toBe(5_000);
  });

  it('uses the numbers it is given', () => {
    expect(nextPollDelay(300, false, { initialMs: 100, maxMs: 500 })).toBe(500);
  });
});

describe('failure classes', () => {
  it('maps provider errors onto statuses', () => {
    expect(classifySubmitError({ status: 429, message: '{"error":{"status":"RESOURCE_EXHAUSTED"}}' })).toBe(
      'rate_limited',
    );
    expect(classifySubmitError({ status: 400, message: '{"error":{"status":"INVALID_ARGUMENT"}}' })).toBe(
      'invalid_argument',
    );
    expect(classifySubmitError({ status: 500, message: 'oops INVALID_ARGUMENT in text' })).toBe('invalid_argument');
    // Only a 4xx answer or a refused connection proves that no job was created.
    expect(classifySubmitError({ status: 503, message: 'unavailable' })).toBe('submit_unknown');
    expect(classifySubmitError({ message: 'fetch failed' })).toBe('submit_unknown');
    expect(classifySubmitError({ message: 'fetch failed', code: 'ECONNRESET' })).toBe('submit_unknown');
    expect(classifySubmitError({ message: 'fetch failed', code: 'ECONNREFUSED' })).toBe('submit_failed');
    expect(classifySubmitError({ status: 403, message: 'PERMISSION_DENIED' })).toBe('submit_failed');
    expect(
      classifySubmitError({ status: 404, message: 'models/veo-3.1-generate-preview is no longer available' }),
    ).toBe('model_unavailable');
    expect(statusOfSubmitFailure('over_budget')).toBe('over_budget');
    expect(statusOfSubmitFailure('submit_unknown')).toBe('submit_unknown');
    expect(statusOfSubmitFailure('model_unavailable')).toBe('model_unavailable');
    expect(statusOfSubmitFailure('Error')).toBe('submit_failed');
    // An unknown submission is neither retried automatically nor resubmitted by a plain retry.
    expect(isRetriable('submit_unknown')).toBe(false);
    expect(isFailed('submit_unknown')).toBe(false);
    expect(isFailed('over_budget')).toBe(true);
    expect(classifyOperationError({ code: 13, message: 'internal' })).toBe('generation_failed');
    expect(classifyOperationError({ code: 3, message: 'bad' })).toBe('invalid_argument');
  });

  it('retries only submit_failed, rate_limited and poll_failed', () => {
    const all = [
      'submit_failed',
      'rate_limited',
      'poll_failed',
      'download_failed',
      'generation_failed',
      'invalid_clip',
      'invalid_argument',
      'rai_filtered',
      'timed_out',
      'cancelled',
      'done',
    ] as const;
    expect(all.filter(isRetriable)).toEqual(['submit_failed', 'rate_limited', 'poll_failed']);
    expect(isSettled('pending')).toBe(false);
    expect(isSettled('submitted')).toBe(false);
    expect(all.every(isSettled)).toBe(true);
  });
});
