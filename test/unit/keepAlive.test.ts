/** The worker's keep-alive heartbeats every activity, without overwriting the checkpoint an activity reports. */
import { heartbeat } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { activityRetriesOf } from '../../src/domain/attempts';
import { keepAliveInterceptor } from '../../src/temporal/keepAlive';

describe('keepAliveInterceptor', () => {
  it('beats while a silent activity runs, repeating the latest details the activity reported', async () => {
    const env = new MockActivityEnvironment(
      { heartbeatDetails: { segmentsDone: 2 } },
      { interceptors: [keepAliveInterceptor] },
    );
    const beats: unknown[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const waiters: { count: number; resolve: () => void }[] = [];
    env.on('heartbeat', (details: unknown) => {
      beats.push(details);
      for (const w of waiters.filter((w) => beats.length >= w.count)) w.resolve();
    });
    const untilBeats = (count: number) =>
      new Promise<void>((resolve) => (beats.length >= count ? resolve() : waiters.push({ count, resolve })));

    const result = env.run(async () => {
      await untilBeats(2); // the keep-alive beats with no help from the activity
      heartbeat({ segmentsDone: 3 });
      await held;
      return 'done';
    });
    await untilBeats(4);
    const afterOwn = beats.length;
    await untilBeats(afterOwn + 1);
    release();
    expect(await result).toBe('done');

    // Before the activity reports anything, the earlier attempt's checkpoint is kept, not erased.
    expect(beats.slice(0, 2)).toEqual([{ segmentsDone: 2 }, { segmentsDone: 2 }]);
    expect(beats[2]).toEqual({ segmentsDone: 3 });
    expect(beats.slice(3)).toEqual(beats.slice(3).map(() => ({ segmentsDone: 3 })));
    const count = beats.length;
    // Once the activity returns, the keep-alive stops.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(beats.length).toBe(count);
  });
});

describe('retried activities in a stage’s attempts', () => {
  it('marks a retry’s result with its attempt, and only a retry’s', async () => {
    const result = { reelPath: '/runs/x/reel.mp4' };
    const first = new MockActivityEnvironment({ attempt: 1 }, { interceptors: [keepAliveInterceptor] });
    const third = new MockActivityEnvironment({ attempt: 3 }, { interceptors: [keepAliveInterceptor] });
    const fromFirst = await first.run(() => Promise.resolve(result));
    const fromThird = await third.run(() => Promise.resolve(result));
    expect(fromFirst).toEqual(result);
    expect(fromThird).toEqual({ ...result, activityAttempt: 3 });
    // The workflow counts two extra runs of the stage's activity; arrays and nothing stay as they are.
    expect(activityRetriesOf(fromThird)).toBe(2);
    expect(activityRetriesOf(fromFirst)).toBe(0);
    expect(await third.run(() => Promise.resolve([1, 2]))).toEqual([1, 2]);
    expect(await third.run(() => Promise.resolve(undefined))).toBeUndefined();
  });
});
