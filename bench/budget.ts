/**
 * The budget ledgers' cost: milliseconds each paid submission spends reserving and committing (run
 * cap + daily cap: one reserve Update per ledger, sent together, then one commit signal per ledger,
 * sent together) next to the same submission with no cap, measured alternately on one worker; and
 * the history events the ledgers add for an 8-clip run. The run's own history gains none:
 * submitClip talks to the ledgers, not the workflow.
 *
 * `npx tsx bench/budget.ts` runs this section alone (its own Temporal dev server); `npm run bench`
 * runs it with the rest.
 */
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { NativeConnection } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../src/activities';
import { loadConfig } from '../src/config';
import { startLocalTemporal } from '../src/dev/localTemporal';
import { connectClient, connectWorker } from '../src/temporal/connection';
import { dailyLedgerId, runLedgerId } from '../src/domain/budget';
import type { PriceTable } from '../src/domain/cost';
import { OfflineImageModel } from '../src/providers/image/offlineImage';
import { OfflineTextModel } from '../src/providers/text/offlineText';
import { LocalVeoServer, OFFLINE_VEO_NAME } from '../src/offlineVeo/server';
import { VeoVideoModel } from '../src/providers/video/veo';

export interface BudgetMeasurement {
  submissions: number;
  /** Median submitClip time with a run cap and a daily cap, and with no cap. */
  cappedMs: number;
  uncappedMs: number;
  overheadPerSubmissionMs: number;
  /** History events of the day's and the run's ledger after an 8-clip run's submissions. */
  ledgerEventsFor8Clips: { daily: number; run: number; total: number };
  runHistoryEventsAdded: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const PRICES: PriceTable = {
  currency: 'USD',
  asOf: 'bench',
  providers: {
    offline: { label: 'offline, priced for the bench', video: { 'veo-3.1-generate-001': { perSecond: 0.1 } } },
  },
};

export async function measureBudget(
  root: string,
  address: string,
  client: Client,
  connection: NativeConnection,
): Promise<BudgetMeasurement> {
  const pricesPath = path.join(root, 'bench-prices.json');
  await writeFile(pricesPath, JSON.stringify(PRICES));
  const taskQueue = `bench-budget-${Date.now()}`;
  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    RUNS_DIR: path.join(root, 'runs'),
    OUTPUT_DIR: path.join(root, 'output'),
    PRICES_PATH: pricesPath,
    VEO3_MODEL: 'veo-3.1-generate-001',
  };
  const capped = loadConfig({ ...env, BUDGET_DAILY_USD: '100000' });
  const uncapped = loadConfig(env);
  const veo = new LocalVeoServer({ stateDir: path.join(root, 'budget-veo') });
  const url = await veo.start();
  const providers = {
    text: new OfflineTextModel(),
    image: new OfflineImageModel(),
    video: new VeoVideoModel({
      name: OFFLINE_VEO_NAME,
      models: capped.veo3.models,
      apiKey: 'bench',
      baseUrl: url,
      rateLimit: capped.veo3.rateLimit,
    }),
    close: () => Promise.resolve(),
  };
  const withCaps = createActivities({ config: capped, providers, temporalClient: client });
  const withoutCaps = createActivities({ config: uncapped, providers, temporalClient: client });
  const worker = await Worker.create({ connection, taskQueue, workflowsPath: require.resolve('../src/workflows') });
  const submit = (activities: typeof withCaps, runId: string, i: number, cap?: number) =>
    new MockActivityEnvironment().run(activities.submitClip, {
      workspace: path.join(root, 'runs', runId),
      key: `${runId}_clip-${i}`,
      prompt: `bench clip ${i}`,
      durationS: 4 as const,
      aspectRatio: '9:16' as const,
      budget: { runId, ...(cap !== undefined ? { maxCostUsd: cap } : {}) },
    });
  try {
    return await worker.runUntil(async () => {
      const stamp = Date.now().toString(36);
      // Warm up both paths (ledgers started, connections open), then alternate.
      await submit(withCaps, `warm-${stamp}`, 0, 1000);
      await submit(withoutCaps, `warm-${stamp}-free`, 0);
      const cappedMs: number[] = [];
      const uncappedMs: number[] = [];
      const SUBMISSIONS = 8;
      const runId = `bench-run-${stamp}`;
      const dayBefore = (await client.workflow.getHandle(dailyLedgerId('default', new Date())).fetchHistory()).events
        ?.length;
      for (let i = 0; i < SUBMISSIONS; i++) {
        let t = performance.now();
        await submit(withCaps, runId, i, 1000);
        cappedMs.push(performance.now() - t);
        t = performance.now();
        await submit(withoutCaps, `${runId}-free`, i);
        uncappedMs.push(performance.now() - t);
      }
      const day =
        (await client.workflow.getHandle(dailyLedgerId('default', new Date())).fetchHistory()).events?.length ?? 0;
      const run = (await client.workflow.getHandle(runLedgerId(runId)).fetchHistory()).events?.length ?? 0;
      const daily = day - (dayBefore ?? 0);
      return {
        submissions: SUBMISSIONS,
        cappedMs: Math.round(median(cappedMs)),
        uncappedMs: Math.round(median(uncappedMs)),
        overheadPerSubmissionMs: Math.round(median(cappedMs) - median(uncappedMs)),
        ledgerEventsFor8Clips: { daily, run, total: daily + run },
        runHistoryEventsAdded: 0,
      };
    });
  } finally {
    await veo.stop();
  }
}

/** The section alone: prints the same table row as `npm run bench`. */
async function alone(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-budget-'));
  const server = await startLocalTemporal({ log: () => {} });
  try {
    const client = await connectClient({ address: server.address, namespace: 'default' });
    const b = await measureBudget(root, server.address, client, await connectWorker({ address: server.address }));
    console.log(JSON.stringify(b));
    console.log(
      '| budget ledgers | submitClip, capped (ms) | uncapped (ms) | overhead per submission (ms) | ledger events for 8 clips (day + run) | run history events added |',
    );
    console.log('|---|---|---|---|---|---|');
    console.log(
      `| run cap + daily cap | ${b.cappedMs} | ${b.uncappedMs} | ${b.overheadPerSubmissionMs} | ${b.ledgerEventsFor8Clips.daily} + ${b.ledgerEventsFor8Clips.run} | ${b.runHistoryEventsAdded} |`,
    );
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  alone().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
