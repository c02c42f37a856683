/** The worker's keep-alive heartbeats every activity, without overwriting the checkpoint an activity reports. */
import { heartbeat } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
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
