/**
 * Short workflows the API starts to reach a run's files on the host that holds them (an activity
 * cannot be called from a client, so each read is one workflow with one activity on that host's
 * queue). Nothing here touches a run: they only read, and their results are at most one chunk.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HostFileChunk, HostFileEntry, HostFileRead, HostFilesInput } from '../domain/hostFiles';
import { HOST_FILE_PICKUP_TIMEOUT } from './activityRoutes';

function onHost(hostQueue: string) {
  return proxyActivities<Activities>({
    taskQueue: hostQueue,
    // A host that does not answer soon is down: the API says so instead of holding the request.
    scheduleToStartTimeout: HOST_FILE_PICKUP_TIMEOUT,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 3, initialInterval: '1s' },
  });
}

export async function listHostFiles({
  hostQueue,
  request,
}: HostFilesInput<{ runId: string }>): Promise<HostFileEntry[]> {
  return onHost(hostQueue).listRunFiles(request);
}

export async function readHostFile({
  hostQueue,
  request,
}: HostFilesInput<HostFileRead>): Promise<HostFileChunk | null> {
  return onHost(hostQueue).readRunFile(request);
}
