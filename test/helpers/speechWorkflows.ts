/**
 * A test-only workflow that calls the speech worker's activity by name, as the reel pipeline does,
 * with a short heartbeat timeout so a killed worker's attempt is retried quickly.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { TranscribeAudioInput } from '../../src/domain/speech';
import { SPEECH_ACTIVITY } from '../../src/domain/speech';

export async function transcribeOnly(input: { taskQueue: string; job: TranscribeAudioInput }): Promise<unknown> {
  const speech = proxyActivities<Record<string, (job: TranscribeAudioInput) => Promise<unknown>>>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '15 seconds',
    retry: { maximumAttempts: 5, initialInterval: '1s' },
  });
  return speech[SPEECH_ACTIVITY]!(input.job);
}
