/**
 * Files served from a run's host (src/activities/runFiles.ts, src/api/hostFiles.ts): which queue a
 * run's history names, and what the host's read refuses. The two-host e2e test serves a real reel.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunFileActivities } from '../../src/activities/runFiles';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import {
  HOST_FILE_READS_AHEAD,
  hostFailureMessage,
  hostFileChunks,
  hostQueueOfActivityQueue,
} from '../../src/api/hostFiles';
import type { HostFileChunk } from '../../src/domain/hostFiles';
import { HOST_FILE_CHUNK_BYTES } from '../../src/domain/hostFiles';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';

describe('files from a run’s host', () => {
  it('finds the host’s light queue from any queue a pinned run used, and nothing from others', () => {
    expect(hostQueueOfActivityQueue('reelflow', 'reelflow-host-box1-ab12')).toBe('reelflow-host-box1-ab12');
    expect(hostQueueOfActivityQueue('reelflow', 'reelflow-media-box1-ab12')).toBe('reelflow-host-box1-ab12');
    expect(hostQueueOfActivityQueue('reelflow', 'reelflow')).toBeUndefined();
    expect(hostQueueOfActivityQueue('reelflow', 'reelflow-speech')).toBeUndefined();
    // Another project's queues on the same Temporal are not this deployment's hosts.
    expect(hostQueueOfActivityQueue('reelflow', 'reelflow-b-host-x')).toBeUndefined();
  });

  it('says in words that a host is down when no worker picked the read up, and passes any other cause on', () => {
    // The shape a host-files workflow fails with: the read activity, then its cause.
    const failed = (cause: Error) =>
      new WorkflowFailedError(
        'Workflow execution failed',
        new ActivityFailure(
          'Activity task failed',
          'readRunFile',
          '1',
          RetryState.NON_RETRYABLE_FAILURE,
          undefined,
          cause,
        ),
        RetryState.NON_RETRYABLE_FAILURE,
      );
    const queue = 'reelflow-host-box1-ab12';
    expect(
      hostFailureMessage(
        failed(new TimeoutFailure('activity ScheduleToStart timeout', undefined, TimeoutType.SCHEDULE_TO_START)),
        queue,
      ),
    ).toBe(
      "the host that holds the run's files (task queue reelflow-host-box1-ab12) did not serve them: no worker of that host picked the read up in time (is the host's worker running?)",
    );
    expect(hostFailureMessage(failed(ApplicationFailure.create({ message: 'disk full' })), queue)).toBe(
      "the host that holds the run's files (task queue reelflow-host-box1-ab12) did not serve them: disk full",
    );
  });

  it('reads listed files in ranges and refuses other names, other paths and oversized reads', async () => {
    const dir = await tempDir('host-files');
    const { listRunFiles, readRunFile } = createRunFileActivities({ config: testConfig(dir) });
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    await mkdir(path.join(dir, 'output', 'reel-x-1'), { recursive: true });
    await writeFile(path.join(dir, 'output', 'reel-x-1', 'reel.mp4'), bytes);

    expect(await listRunFiles({ runId: 'reel-x-1' })).toEqual([{ name: 'reel.mp4', bytes: 5000 }]);
    const chunk = await readRunFile({ runId: 'reel-x-1', name: 'reel.mp4', start: 4000, length: 2000 });
    expect(chunk?.size).toBe(5000);
    expect(Buffer.from(chunk!.base64, 'base64').equals(bytes.subarray(4000))).toBe(true);
    expect(await readRunFile({ runId: 'reel-x-1', name: 'summary.md', start: 0, length: 10 })).toBeNull();

    await expect(readRunFile({ runId: 'reel-x-1', name: '../../etc/passwd', start: 0, length: 1 })).rejects.toThrow(
      /name: .* is not a run file/,
    );
    await expect(readRunFile({ runId: '../reel-x-1', name: 'reel.mp4', start: 0, length: 1 })).rejects.toThrow(
      /runId: .* is not a run id/,
    );
    await expect(
      readRunFile({ runId: 'reel-x-1', name: 'reel.mp4', start: 0, length: HOST_FILE_CHUNK_BYTES + 1 }),
    ).rejects.toThrow(/at most/);
  });

  it('streams a range in order with up to HOST_FILE_READS_AHEAD reads in flight, and stops on a short read', async () => {
    const dir = await tempDir('host-files-ahead');
    const { readRunFile } = createRunFileActivities({ config: testConfig(dir) });
    const size = HOST_FILE_CHUNK_BYTES * 6 + 1000;
    const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 253));
    await mkdir(path.join(dir, 'output', 'reel-y-1'), { recursive: true });
    await writeFile(path.join(dir, 'output', 'reel-y-1', 'reel.mp4'), bytes);
    // Reads are held until the test answers them, newest first: order must come from the stream.
    const held: { start: number; answer: () => void }[] = [];
    const read = (start: number, length: number) =>
      new Promise<HostFileChunk | null>((resolve) =>
        held.push({
          start,
          answer: () => void readRunFile({ runId: 'reel-y-1', name: 'reel.mp4', start, length }).then(resolve),
        }),
      );
    const range = { start: 500, end: size - 2 };
    const stream = hostFileChunks(read, range);
    const received: Buffer[] = [];
    let inFlightMax = 0;
    let ended = false;
    const reading = (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().finally(() => (ended = true));
    while (!ended) {
      await new Promise((resolve) => setImmediate(resolve));
      inFlightMax = Math.max(inFlightMax, held.length);
      held.pop()?.answer();
    }
    await reading;
    expect(inFlightMax).toBe(HOST_FILE_READS_AHEAD);
    expect(Buffer.concat(received).equals(bytes.subarray(range.start, range.end + 1))).toBe(true);

    // A host whose file got shorter: an error, not a short body passed off as complete.
    const short = (start: number, length: number) =>
      readRunFile({ runId: 'reel-y-1', name: 'reel.mp4', start, length: start > 0 ? length - 1 : length });
    await expect(
      (async () => {
        for await (const _ of hostFileChunks(short, { start: 0, end: size - 1 })) void _;
      })(),
    ).rejects.toThrow(/the file ended at byte/);
  });
});
