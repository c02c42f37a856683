/**
 * At most once across a whole run: a real worker process is SIGKILLed after the local Veo server has
 * accepted (and counted) a paid job and before the worker could write its record; a new worker
 * process picks the run up. The clip must become submit_unknown — never a second paid job — and
 * the run still delivers its reel. The server ignores the idempotency header, as Google does, so a
 * resubmission would show up as a second job.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReel } from '../../src/cli/runs';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { runLedgerId } from '../../src/domain/budget';
import type { ReelResult } from '../../src/domain/reel';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { ledgerQuery } from '../../src/workflows/budgetDefinitions';
import { smallPodcast, tempDir } from '../helpers/media';
import { startOfflineVeo } from '../helpers/offlineVeo';
import { writeTestPrices } from '../helpers/prices';
import type { TestTemporal } from '../helpers/temporal';
import { connectTestTemporal, uniqueName } from '../helpers/temporal';
import type { WorkerProcess } from '../helpers/workerProcess';
import { startWorkerProcess } from '../helpers/workerProcess';
import { eventually } from '../helpers/workflows';

let temporal: TestTemporal;
let dir: string;
let sample: SamplePodcast;
let veo: LocalVeoServer;
let pricesPath: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('paid-killed');
  [sample, pricesPath] = await Promise.all([smallPodcast(path.join(dir, 'sample'), 60), writeTestPrices(dir)]);
  // The first submission's job is created and counted, but its answer waits for releaseHeld().
  veo = await startOfflineVeo(dir, { faults: [{ match: '', fault: 'hold', times: 1 }], idempotency: false });
});
afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await veo?.stop();
  await temporal?.close();
});

function worker(taskQueue: string): WorkerProcess {
  const started = startWorkerProcess({
    temporalAddress: temporal.address,
    taskQueue,
    dir,
    veoUrl: veo.url,
    // Priced, so every submission goes through the run's budget ledger as in production.
    env: { PRICES_PATH: pricesPath, VEO3_MODEL: 'veo-3.1-generate-001' },
  });
  workers.push(started);
  return started;
}

/** Records of accepted jobs written by submitClip (not intents) in any run under this file's runs dir. */
async function submittedRecords(): Promise<string[]> {
  const runs = path.join(dir, 'runs');
  const found: string[] = [];
  for (const run of await readdir(runs).catch(() => [] as string[])) {
    const files = await readdir(path.join(runs, run, 'veo3', 'submitted')).catch(() => [] as string[]);
    found.push(...files.filter((f) => f.endsWith('.json') && !f.endsWith('.intent.json')));
  }
  return found;
}

describe('a worker killed mid-submit', () => {
  it('the run finishes on a new worker with 0 duplicate submissions; the held clip is submit_unknown', async () => {
    const taskQueue = uniqueName('killed-run');
    const first = worker(taskQueue);
    const handle = await startReel(temporal.client, taskQueue, {
      source: sample.video,
      durationS: 30,
      // 1:1: 0.56 of 9:16's pixels to encode; submissions do not depend on the frame.
      aspect: '1:1',
      clips: 3,
      maxCostUsd: 100,
    });

    // One job is accepted with its answer held; the other two are recorded: now the worker dies.
    await veo.waitForHeld(1);
    const recorded = await eventually(submittedRecords, (files) => files.length === 2);
    expect(recorded, first.output()).toHaveLength(2);
    expect(veo.stats.submissions).toBe(3);
    expect(await first.kill()).toBe('SIGKILL');
    veo.releaseHeld();

    const second = worker(taskQueue);
    const result = (await handle.result()) as ReelResult;
    expect(result.broll, second.output()).toEqual({ requested: 3, generated: 2, placed: 2 });

    // The provider saw each clip exactly once: no resubmission, not even one under a new key.
    expect(veo.stats.submissions).toBe(3);
    expect(new Set(veo.stats.keys).size).toBe(3);
    expect(new Set(veo.stats.prompts).size).toBe(3);

    const jobs = JSON.parse(await readFile(path.join(result.workspace, 'veo3', 'jobs.json'), 'utf8')).jobs as {
      idempotent_key: string;
      status: string;
      attempts: number;
      error_message?: string;
    }[];
    expect(jobs.map((j) => j.status).sort()).toEqual(['done', 'done', 'submit_unknown']);
    expect(jobs.every((j) => j.attempts === 1)).toBe(true);
    const unknown = jobs.find((j) => j.status === 'submit_unknown')!;
    expect(unknown.error_message).toContain('--include-unknown');
    // The held job is the one nobody recorded.
    expect(recorded.map((f) => f.replace(/\.json$/, ''))).not.toContain(unknown.idempotent_key);

    // It may have been charged, so the run's ledger counts all three clips as spent, nothing reserved.
    const ledger = await temporal.client.workflow.getHandle(runLedgerId(handle.workflowId)).query(ledgerQuery);
    expect(ledger.reservedUsd).toBe(0);
    expect(Object.keys(ledger.settled)).toHaveLength(3);
    expect(ledger.settled[unknown.idempotent_key]).toBeGreaterThan(0);

    const summary = await readFile(path.join(dir, 'output', handle.workflowId, 'summary.md'), 'utf8');
    expect(summary).toContain(`reelflow broll retry ${handle.workflowId} --include-unknown`);
  }, 900_000); // generous: a whole reel on a busy machine; nothing here races the clock
});
