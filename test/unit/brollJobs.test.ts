/** The B-roll jobs reducer, driven without Temporal: every rule of the table and its scheduler. */
import { describe, expect, it } from 'vitest';
import type { ClipPrompt, PollResult } from '../../src/domain/broll';
import type { BrollJobsEvent, BrollJobsState, SubmitCommand } from '../../src/workflows/brollJobs';
import { initialBrollJobs, pollableJobs, reduceBrollJobs, snapshotOf } from '../../src/workflows/brollJobs';

const at = '2026-01-01T00:00:00.000Z';
const prompt = (variant: string): ClipPrompt => ({ variant, prompt: variant, duration_s: 4, narrative_anchor: '' });

/** Feeds events in order; returns the final state and every command issued. */
function drive(state: BrollJobsState, events: BrollJobsEvent[]) {
  const commands: SubmitCommand[] = [];
  for (const event of events) {
    const next = reduceBrollJobs(state, event);
    state = next.state;
    commands.push(...next.commands);
  }
  return { state, commands };
}
const statusOf = (state: BrollJobsState) => Object.fromEntries(state.jobs.map((j) => [j.variant, j.status]));
const start = (variants: string[], maxConcurrent?: number) =>
  drive(
    initialBrollJobs({ runId: 'run', prompts: variants.map(prompt), ...(maxConcurrent ? { maxConcurrent } : {}) }, at),
    [{ type: 'start', at }],
  );

describe('B-roll jobs reducer', () => {
  it('submits every clip at once under {runId}_{variant}, numbering repeated variants', () => {
    const { state, commands } = start(['intro', 'broll', 'broll']);
    expect(commands.map((c) => c.submitKey)).toEqual(['run_intro', 'run_broll', 'run_broll-2']);
    expect(state.submitting).toHaveLength(3);
    expect(state.jobs.every((j) => j.attempts === 1 && j.status === 'pending')).toBe(true);
  });

  it('never has more than maxConcurrent clips in flight; a settled clip frees a slot', () => {
    let { state, commands } = start(['a', 'b', 'c'], 2);
    expect(commands.map((c) => c.key)).toEqual(['run_a', 'run_b']);
    ({ state, commands } = drive(state, [{ type: 'submit_accepted', key: 'run_a', operation: 'op-a', at }]));
    expect(commands).toEqual([]); // a is generating: still two in flight
    const done: PollResult = { key: 'run_a', status: 'done', videoPath: '/a.mp4' };
    ({ state, commands } = drive(state, [{ type: 'polled', results: [done], at }]));
    expect(commands.map((c) => c.key)).toEqual(['run_c']);
    expect(statusOf(state)).toEqual({ a: 'done', b: 'pending', c: 'pending' });
  });

  it('records each status change once, as an event and a dirty table, and polls only accepted jobs', () => {
    let { state } = start(['a', 'b']);
    state = drive(state, [{ type: 'published' }]).state;
    expect(state.dirty).toBe(false);
    state = drive(state, [
      { type: 'submit_accepted', key: 'run_a', operation: 'op-a', at },
      { type: 'submit_failed', key: 'run_b', status: 'rate_limited', message: '429', at },
    ]).state;
    expect(state.dirty).toBe(true);
    expect(state.statusChanged).toBe(true);
    expect(state.events.map((e) => e.data)).toEqual([
      { key: 'run_a', from: 'pending', to: 'submitted' },
      { key: 'run_b', from: 'pending', to: 'rate_limited' },
    ]);
    expect(pollableJobs(state).map((j) => j.operation)).toEqual(['op-a']);
  });

  it('marks a clip poll_failed after three failed polls in a row, and a retry polls it again (no new generation)', () => {
    let { state } = start(['a']);
    state = drive(state, [{ type: 'submit_accepted', key: 'run_a', operation: 'op-a', at }]).state;
    const error: PollResult = { key: 'run_a', status: 'poll_error', error: 'reset' };
    state = drive(state, [
      { type: 'polled', results: [error], at },
      { type: 'polled', results: [error], at },
    ]).state;
    expect(statusOf(state)).toEqual({ a: 'submitted' });
    state = drive(state, [{ type: 'polled', results: [error], at }]).state;
    expect(statusOf(state)).toEqual({ a: 'poll_failed' });
    const retried = drive(state, [{ type: 'retry_requested' }, { type: 'retry', at }]);
    expect(retried.commands).toEqual([]);
    expect(statusOf(retried.state)).toEqual({ a: 'submitted' });
    expect(retried.state.jobs[0]!.operation).toBe('op-a');
    expect(retried.state.retries).toBe(1);
  });

  it('resubmits only the failed clips asked for, under a new key each time', () => {
    let { state } = start(['a', 'b', 'c']);
    state = drive(state, [
      { type: 'submit_failed', key: 'run_a', status: 'submit_failed', message: 'x', at },
      { type: 'submit_failed', key: 'run_b', status: 'invalid_argument', message: 'y', at },
      { type: 'submit_accepted', key: 'run_c', operation: 'op-c', at },
    ]).state;
    const { state: after, commands } = drive(state, [
      { type: 'retry_requested', keys: ['run_a'] },
      { type: 'retry', at },
    ]);
    expect(commands).toEqual([{ type: 'submit', key: 'run_a', submitKey: 'run_a_r2' }]);
    expect(statusOf(after)).toEqual({ a: 'pending', b: 'invalid_argument', c: 'submitted' });
  });

  it('carries out no retry once finishing, and settles unfinished clips as the gate closes', () => {
    let { state } = start(['a', 'b']);
    state = drive(state, [
      { type: 'submit_failed', key: 'run_a', status: 'submit_failed', message: 'x', at },
      { type: 'submit_accepted', key: 'run_b', operation: 'op-b', at },
      { type: 'retry_requested' },
      { type: 'finish_requested', reason: 'cancelled' },
    ]).state;
    const retried = drive(state, [{ type: 'retry', at }]);
    expect(retried.commands).toEqual([]);
    const closed = drive(retried.state, [{ type: 'close', at }]).state;
    expect(statusOf(closed)).toEqual({ a: 'submit_failed', b: 'cancelled' });
    expect(snapshotOf(closed, 'cancelled')).toMatchObject({ ended: 'cancelled', retries: 0 });
    const timedOut = drive(drive(state, [{ type: 'finish_requested', reason: 'timeout' }]).state, [
      { type: 'close', at },
    ]);
    // The first finish reason wins.
    expect(statusOf(timedOut.state)).toEqual({ a: 'submit_failed', b: 'cancelled' });
  });

  it('takes over a lost host’s jobs without submitting any again: accepted ones are polled, pending ones unknown', () => {
    // The lost child's table: a accepted, b done (its clip was on the lost disk), c pending, d refused by safety.
    let { state } = start(['a', 'b', 'c', 'd']);
    ({ state } = drive(state, [
      { type: 'submit_accepted', key: 'run_a', operation: 'op-a', at },
      { type: 'submit_accepted', key: 'run_b', operation: 'op-b', at },
      { type: 'polled', results: [{ key: 'run_b', status: 'done', videoPath: '/lost/b.mp4' }], at },
      { type: 'submit_failed', key: 'run_d', status: 'rai_filtered', message: 'safety', at },
    ]));
    const adopted = initialBrollJobs({ runId: 'run', prompts: [], adopted: state.jobs }, at);
    const { state: moved, commands } = drive(adopted, [{ type: 'start', at }]);
    expect(commands).toEqual([]);
    expect(statusOf(moved)).toEqual({ a: 'submitted', b: 'submitted', c: 'submit_unknown', d: 'rai_filtered' });
    expect(pollableJobs(moved).map((j) => j.operation)).toEqual(['op-a', 'op-b']);
    expect(moved.jobs.find((j) => j.variant === 'b')!.video_path).toBeNull();
    expect(moved.jobs.map((j) => j.attempts)).toEqual([1, 1, 1, 1]);
  });

  it('is pure: the state it was given is left as it was', () => {
    const { state } = start(['a']);
    const before = JSON.stringify(state);
    reduceBrollJobs(state, { type: 'submit_accepted', key: 'run_a', operation: 'op', at });
    expect(JSON.stringify(state)).toBe(before);
  });
});
