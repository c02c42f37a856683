/**
 * Paid calls with the real budget ledger workflow on a real Temporal server and the real SDK against
 * the local Veo/Gemini server: 20 B-roll workflow runs at once against the daily cap, then at the
 * activity level clip submissions at most once, caps, withdrawn models; text and image calls
 * refused by the caps before they are sent.
 * (One file, because the day's ledger is one per namespace: its tests must not run side by side.)
 */
import type { Worker } from '@temporalio/worker';
import { Worker as TemporalWorker } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { BrollInput, BrollSnapshot } from '../../src/domain/broll';
import { isSettled } from '../../src/domain/clipStatus';
import { createWorker } from '../../src/worker';
import { brollQuery, finishBrollSignal } from '../../src/workflows/definitions';
import { isAdmissionRefused, LEDGER_UPDATES_IN_FLIGHT, ledgerAdmission, PaidBudget } from '../../src/activities/budget';
import type { AppConfig } from '../../src/config';
import { dailyLedgerId, runLedgerId } from '../../src/domain/budget';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { metered } from '../../src/activities/metering';
import { GeminiImageModel } from '../../src/providers/image/geminiImage';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import { VeoVideoModel } from '../../src/providers/video/veo';
import { ledgerQuery } from '../../src/workflows/budgetDefinitions';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import { eventually, maybeRecordHistory } from '../helpers/workflows';
import { geminiAnswer, providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';
import { writeTestPrices } from '../helpers/prices';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';

let dir: string;
let veo: LocalVeoServer;
let temporal: TestTemporal;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;
let pricesPath: string;

/** A 4 s clip costs $2 with the test prices; the daily cap is worth five of them. */
const CLIP_USD = 2;
const DAILY_USD = 5 * CLIP_USD;

beforeAll(async () => {
  dir = await tempDir('paid-submit');
  pricesPath = await writeTestPrices(dir);
  // Like Google: the idempotency header is ignored, so a resubmission would be a second paid job.
  veo = await startOfflineVeo(dir, { faults: [{ match: 'HOLD', fault: 'hold' }], idempotency: false });
  temporal = await connectTestTemporal();
  taskQueue = uniqueName('paid');
  // One real worker for the file: the ledger workflows, and the workflow runs of the first test with
  // their activities (the daily cap worth 5 clips). The other tests run activities in the test.
  const config = configFor();
  worker = await createWorker({
    connection: temporal.nativeConnection,
    config,
    providers: providersFor(veo, config),
    workflowBundle: await bundleWorkflows(),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await veo?.stop();
  await temporal?.close();
});

function configFor(overrides: Record<string, string> = {}): AppConfig {
  return testConfig(dir, {
    TEMPORAL_TASK_QUEUE: taskQueue,
    PRICES_PATH: pricesPath,
    BUDGET_DAILY_USD: String(DAILY_USD),
    VEO3_MODEL: 'veo-3.1-generate-001',
    ...overrides,
  });
}

function activitiesFor(config: AppConfig) {
  return createActivities({ config, providers: providersFor(veo, config), temporalClient: temporal.client });
}

const run = <A, R>(fn: (input: A) => Promise<R>, input: A) =>
  new MockActivityEnvironment().run(fn, input) as Promise<R>;

function clip(runId: string, prompt: string) {
  return {
    workspace: path.join(dir, 'runs', runId),
    key: `${runId}_intro`,
    prompt,
    durationS: 4 as const,
    aspectRatio: '9:16' as const,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const today = () => dailyLedgerId('default', new Date());
const ledger = (id: string) => temporal.client.workflow.getHandle(id).query(ledgerQuery);

beforeEach(async () => {
  // One day's ledger is shared by every test here: start each from an empty one.
  await temporal.client.workflow
    .getHandle(today())
    .terminate('next test')
    .catch(() => undefined);
});

describe('submitClip: budget caps', () => {
  it('20 B-roll workflow runs started at once against a daily cap worth 5 clips: at most 5 are submitted, the rest are over_budget, every run completes', async () => {
    // The cheapest whole run that submits one paid clip: the B-roll workflow every reel and video
    // runs as its child (submit through the ledgers, poll, download, crop and validate), one 4 s
    // clip each. 20 reels would spend their time on transcription and 1080x1920 encodes instead.
    const before = veo.stats.submissions;
    const ids = Array.from({ length: 20 }, (_, i) => uniqueName(`day-run${i}`));
    const handles = await Promise.all(
      ids.map((workflowId, i) => {
        const input: BrollInput = {
          runId: workflowId,
          workspace: path.join(dir, 'runs', workflowId),
          prompts: [{ variant: 'intro', prompt: `a harbour at dawn, boat ${i}`, duration_s: 4, narrative_anchor: '' }],
          aspectRatio: '9:16',
          pollInitialS: 0.5,
          pollMaxS: 2,
          budget: { runId: workflowId },
        };
        return temporal.client.workflow.start('brollGeneration', { taskQueue, workflowId, args: [input] });
      }),
    );
    // Each run is finished by its parent's gate once its clip has settled; here the test is the parent.
    // One run at a time is read, in the order started: nothing depends on which settled first.
    const results: BrollSnapshot[] = [];
    for (const handle of handles) {
      const settled = await eventually(
        () => handle.query(brollQuery),
        (jobs) => jobs.length === 1 && jobs.every((job) => isSettled(job.status)),
        600_000,
      );
      expect(settled.every((job) => isSettled(job.status))).toBe(true);
      await handle.signal(finishBrollSignal, 'finished');
      results.push((await handle.result()) as BrollSnapshot);
    }

    const jobs = results.map((r) => r.jobs[0]!);
    const done = jobs.filter((job) => job.status === 'done');
    const refused = jobs.filter((job) => job.status === 'over_budget');
    // Counted at the provider: the cap is worth exactly 5 clips, and nothing was sent twice.
    expect(veo.stats.submissions - before).toBeLessThanOrEqual(5);
    expect(veo.stats.submissions - before).toBe(done.length);
    expect(new Set(veo.stats.prompts).size).toBe(veo.stats.prompts.length);
    expect(done).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const job of done) expect(job.cost_usd).toBe(CLIP_USD);
    for (const job of done) expect((await stat(job.video_path!)).size).toBeGreaterThan(0);
    for (const [i, job] of jobs.entries()) {
      const workspace = path.join(dir, 'runs', ids[i]!);
      // Each run wrote its own table; a refused clip left no intent: nothing was sent for it.
      const table = JSON.parse(await readFile(path.join(workspace, 'veo3', 'jobs.json'), 'utf8')) as {
        jobs: { status: string }[];
      };
      expect(table.jobs.map((j) => j.status)).toEqual([job.status]);
      if (job.status === 'over_budget') {
        expect(job.error_message).toMatch(/over the cap of \$10\.00/);
        await expect(readdir(path.join(workspace, 'veo3', 'submitted'))).rejects.toThrow();
      }
    }
    const day = await ledger(today());
    expect(day).toMatchObject({ capUsd: DAILY_USD, spentUsd: DAILY_USD, reservedUsd: 0 });
    // A day's ledger that granted 5 reservations and refused 15, as a replay fixture.
    await maybeRecordHistory(temporal.address, today(), 'budget-day-ledger');
  }, 900_000);

  it('a run cap below one clip submits nothing; the run ledger and the day ledger stay untouched', async () => {
    const activities = activitiesFor(configFor());
    const before = veo.stats.submissions;
    const runId = uniqueName('cheap');
    const failure = await failureOf(
      run(activities.submitClip, { ...clip(runId, 'a lighthouse'), budget: { runId, maxCostUsd: 1 } }),
    );
    expect(failure.type).toBe('over_budget');
    expect(failure.message).toMatch(new RegExp(`run ${runId}: .* over the cap of \\$1\\.00`));
    expect(veo.stats.submissions).toBe(before);
    expect(await ledger(runLedgerId(runId))).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
    // No intent was written: nothing was sent.
    await expect(readdir(path.join(dir, 'runs', runId, 'veo3', 'submitted'))).rejects.toThrow();
  });

  it('a retried submission is granted again (reservations are idempotent) and charged once', async () => {
    const activities = activitiesFor(configFor());
    const runId = uniqueName('twice');
    const input = { ...clip(runId, 'a market'), budget: { runId, maxCostUsd: 3 } };
    const first = await run(activities.submitClip, input);
    const again = await run(activities.submitClip, input);
    expect(again).toEqual(first);
    expect(await ledger(runLedgerId(runId))).toMatchObject({ spentUsd: CLIP_USD, reservedUsd: 0 });
    expect((await ledger(today())).spentUsd).toBe(CLIP_USD);
  });

  it('one worker sends at most 8 reservations to a ledger at once (the server admits 10 Updates in flight); the rest wait, and all are granted once', async () => {
    // No worker polls this ledger's queue yet, so every Update sent stays in flight.
    const ledgerQueue = uniqueName('ledger-held');
    const refusals: number[] = [];
    const budget = new PaidBudget({
      client: temporal.client,
      namespace: 'default',
      taskQueue: ledgerQueue,
      onAdmissionRefused: (_ledger, attempt) => refusals.push(attempt),
    });
    const runId = uniqueName('inflight');
    const [ref] = budget.ledgersFor({ runId, maxCostUsd: 100 }, new Date());
    const reservations = Array.from({ length: 14 }, (_, i) =>
      budget.reserve([ref!], { id: `${runId}_${i}`, usd: 1, label: `clip ${i}`, runId }),
    );
    expect(ledgerAdmission(ref!.workflowId)).toEqual({ inFlight: LEDGER_UPDATES_IN_FLIGHT, waiting: 6 });
    // Now the ledger gets a worker: the Updates in flight complete and the waiting ones follow.
    const ledgerWorker = await TemporalWorker.create({
      connection: temporal.nativeConnection,
      taskQueue: ledgerQueue,
      workflowBundle: await bundleWorkflows(),
    });
    const view = await ledgerWorker.runUntil(async () => {
      await Promise.all(reservations);
      const seen = await ledger(runLedgerId(runId));
      await temporal.client.workflow.getHandle(runLedgerId(runId)).terminate('test done');
      return seen;
    });
    // Never over the server's limit, so never refused.
    expect(refusals).toEqual([]);
    expect(ledgerAdmission(ref!.workflowId)).toEqual({ inFlight: 0, waiting: 0 });
    expect(Object.keys(view.reservations)).toHaveLength(14);
    expect(view).toMatchObject({ reservedUsd: 14, spentUsd: 0 });
  });

  it('a reservation the ledger refuses to admit (RESOURCE_EXHAUSTED) is retried, and anything else is not', () => {
    const exhausted = Object.assign(
      new Error('limit on number of concurrent in-flight updates has been reached (10)'),
      {
        code: 8,
      },
    );
    expect(isAdmissionRefused(exhausted)).toBe(true);
    expect(isAdmissionRefused(new Error('wrapped', { cause: exhausted }))).toBe(true);
    expect(isAdmissionRefused(Object.assign(new Error('not found'), { code: 5 }))).toBe(false);
    expect(isAdmissionRefused(new Error('update failed'))).toBe(false);
  });

  it('the ledger continues as new when its history grows, keeping what was spent', async () => {
    const runId = uniqueName('long');
    const activities = activitiesFor(configFor({ BUDGET_DAILY_USD: '1000' }));
    const handle = await temporal.client.workflow.start('budgetLedger', {
      workflowId: runLedgerId(runId),
      taskQueue,
      args: [{ scope: `run ${runId}`, capUsd: 9, idleCloseMs: 3_600_000, maxHistoryEvents: 20 }],
    });
    for (let i = 0; i < 6; i++) {
      const outcome = await run(activities.submitClip, {
        ...clip(runId, `street ${i}`),
        key: `${runId}_${i}`,
        budget: { runId, maxCostUsd: 9 },
      }).then(
        () => 'submitted',
        (err: ApplicationFailure) => err.type,
      );
      // $2 a clip under a $9 cap: four fit, whichever run of the ledger holds the tally.
      expect(outcome).toBe(i < 4 ? 'submitted' : 'over_budget');
    }
    const view = await handle.query(ledgerQuery);
    expect(view).toMatchObject({ spentUsd: 8, reservedUsd: 0 });
    const { runId: latest } = await handle.describe();
    expect(latest).not.toBe(handle.firstExecutionRunId);
  });
});

describe('submitClip: at most once', () => {
  it('a worker killed after the provider accepted the job, before the record: the retry is submit_unknown, never a second job', async () => {
    const runId = uniqueName('killed');
    const input = { ...clip(runId, 'HOLD a quiet street'), budget: { runId } };
    const before = veo.stats.prompts.filter((p) => p === input.prompt).length;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../helpers/submitClipProcess.ts'), veo.url, JSON.stringify(input)],
      {
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
          RUNS_DIR: path.join(dir, 'runs'),
          PRICES_PATH: pricesPath,
          BUDGET_DAILY_USD: String(DAILY_USD),
          VEO3_MODEL: 'veo-3.1-generate-001',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // The server holds its answer once the job exists: that is the moment to kill the worker.
    await veo.waitForHeld(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    veo.releaseHeld();

    const activities = activitiesFor(configFor());
    const failure = await failureOf(run(activities.submitClip, input));
    expect(failure.type).toBe('submit_unknown');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`reelflow broll retry ${runId} --include-unknown`);
    // Asked again: still unknown, still nothing sent.
    expect((await failureOf(run(activities.submitClip, input))).type).toBe('submit_unknown');
    expect(veo.stats.prompts.filter((p) => p === input.prompt).length - before).toBe(1);
    // It may be charged, so the day's ledger counts it as spent.
    expect((await ledger(today())).spentUsd).toBe(CLIP_USD);
  });

  it('a refused connection proves nothing was sent: submit_failed, retryable, the intent and reservation undone', async () => {
    const config = configFor();
    // A port that was just free: nothing listens there, so the connection is refused before sending.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const closed = new VeoVideoModel({
      name: 'unreachable',
      models: config.veo3.models,
      apiKey: 'test-key-not-secret',
      baseUrl: `http://127.0.0.1:${port}`,
      rateLimit: config.veo3.rateLimit,
    });
    const activities = createActivities({
      config,
      providers: { ...providersFor(veo, config), video: closed },
      temporalClient: temporal.client,
    });
    const runId = uniqueName('refused');
    const failure = await failureOf(run(activities.submitClip, clip(runId, 'a bridge')));
    expect(failure).toMatchObject({ type: 'submit_failed', nonRetryable: false });
    expect(await readdir(path.join(dir, 'runs', runId, 'veo3', 'submitted'))).toEqual([]);
    expect(await ledger(today())).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });
});

describe('submitClip: models that are no longer served', () => {
  it('skips a withdrawn model for the next in VEO3_MODEL, and names the setting when none is left', async () => {
    veo.setUnavailableModels(['veo-3.1-generate-preview']);
    try {
      const fallback = activitiesFor(
        configFor({ VEO3_MODEL: 'veo-3.1-generate-preview, veo-3.1-fast-generate-001', BUDGET_DAILY_USD: '100' }),
      );
      const runId = uniqueName('fallback');
      const result = await run(fallback.submitClip, clip(runId, 'a canal'));
      expect(result.model).toBe('veo-3.1-fast-generate-001');
      expect(result.operation).toMatch(/^models\/veo-3\.1-fast-generate-001\/operations\//);
      // Priced at the model that took the job.
      expect(result.costUsd).toBe(1);

      const before = veo.stats.submissions;
      const only = activitiesFor(configFor({ VEO3_MODEL: 'veo-3.1-generate-preview', BUDGET_DAILY_USD: '100' }));
      const failure = await failureOf(run(only.submitClip, clip(uniqueName('gone'), 'a canal')));
      expect(failure.type).toBe('model_unavailable');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/no longer serves veo-3\.1-generate-preview/);
      // The Gemini API default after the Veo previews were withdrawn there.
      expect(failure.message).toMatch(
        /Set VEO3_MODEL to a model it serves, e\.g\. VEO3_MODEL=gemini-omni-flash-preview/,
      );
      expect(veo.stats.submissions).toBe(before);
    } finally {
      veo.setUnavailableModels([]);
    }
  });
});

describe('text and image calls under the caps', () => {
  // Test prices: gemini-2.5-flash $0.30/M in, $2.50/M out; an image $0.039. A text call is estimated
  // at 3000 in + 800 out = $0.0029 before it is made; the local server reports 2000 + 400 = $0.0016.
  const ANSWER_TOKENS = { promptTokenCount: 2000, candidatesTokenCount: 400 };
  const Answer = z.object({ title: z.string() });

  function geminiActivities(config: AppConfig) {
    veo.setContentResponder(() => ({ ...geminiAnswer({ title: 'a harbour at dawn' }), usageMetadata: ANSWER_TOKENS }));
    const gemini = { apiKey: TEST_API_KEY, baseUrl: veo.url };
    const text = new GeminiTextModel('gemini-2.5-flash', gemini);
    const image = new GeminiImageModel('gemini-2.5-flash-image', gemini);
    const deps = { config, temporalClient: temporal.client };
    return {
      // The first activity of a run carries the request, as ROUTER and STORYBOARD do.
      title: metered(deps, 'ROUTER', (_input: { request: { maxCostUsd?: number } }) =>
        text.generateJson(Answer, 'a title'),
      ),
      picture: metered(deps, 'KEYFRAMES', async (output: string) => {
        await image.generate({ prompt: 'a harbour', width: 320, height: 180, output });
        return { output };
      }),
    };
  }
  const geminiConfig = (overrides: Record<string, string> = {}) =>
    configFor({ TEXT_PROVIDER: 'gemini', IMAGE_PROVIDER: 'gemini', GEMINI_API_KEY: TEST_API_KEY, ...overrides });
  const inRun = <A, R>(runId: string, fn: (input: A) => Promise<R>, input: A) =>
    new MockActivityEnvironment({
      activityId: uniqueName('act'),
      workflowExecution: { workflowId: runId, runId: 'r1' },
    }).run(fn, input) as Promise<R>;

  it('a run cap below one text call: the call is not sent and the stage fails over_budget, naming the cap', async () => {
    const runId = uniqueName('text-cap');
    const activities = geminiActivities(geminiConfig());
    const before = veo.stats.contentRequests;
    const failure = await failureOf(inRun(runId, activities.title, { request: { maxCostUsd: 0.002 } }));
    expect(failure).toMatchObject({ type: 'over_budget', nonRetryable: true });
    expect(failure.message).toMatch(
      new RegExp(
        `ROUTER: not made, over a budget cap: run ${runId}: a text call to gemini-2\\.5-flash .*would cost \\$0\\.0029: over the cap of \\$0\\.0020`,
      ),
    );
    expect(veo.stats.contentRequests).toBe(before);
    expect(await ledger(runLedgerId(runId))).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });

  it('under a run cap a text call is made and metered; a later image call that would exceed it is not sent', async () => {
    const runId = uniqueName('image-cap');
    const activities = geminiActivities(geminiConfig());
    const first = await inRun(runId, activities.title, { request: { maxCostUsd: 0.03 } });
    expect(first.title).toBe('a harbour at dawn');
    expect(first.cost).toEqual([
      expect.objectContaining({ kind: 'text', costUsd: 0.0016, inputTokens: 2000, outputTokens: 400 }),
    ]);
    // The estimate was freed and the metered cost committed (signals: read until they are handled).
    const afterText = await eventually(
      () => ledger(runLedgerId(runId)),
      (view) => view.spentUsd === 0.0016 && view.reservedUsd === 0,
    );
    expect(afterText).toMatchObject({ capUsd: 0.03, spentUsd: 0.0016, reservedUsd: 0 });

    const before = veo.stats.contentRequests;
    const output = path.join(dir, `${runId}.png`);
    const failure = await failureOf(inRun(runId, activities.picture, output));
    expect(failure.type).toBe('over_budget');
    expect(failure.message).toMatch(
      /KEYFRAMES: not made.*an image call to gemini-2\.5-flash-image in KEYFRAMES would cost \$0\.0390: over the cap of \$0\.0300/,
    );
    expect(veo.stats.contentRequests).toBe(before);
    await expect(stat(output)).rejects.toThrow();
  });

  it("a text call that would exceed the day's cap is not sent; the day's ledger holds what the made ones cost", async () => {
    // Two estimated calls fit in $0.005 once the first is settled at its metered cost, not a third.
    const activities = geminiActivities(geminiConfig({ BUDGET_DAILY_USD: '0.005' }));
    const before = veo.stats.contentRequests;
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const runId = uniqueName(`day-text${i}`);
      outcomes.push(
        await inRun(runId, activities.title, { request: {} }).then(
          () => 'made',
          (err: ApplicationFailure) => `${err.type}: ${err.message}`,
        ),
      );
      // The next call sees this one's commit once the ledger has handled the signal.
      await eventually(
        () => ledger(today()),
        (view) => view.reservedUsd === 0,
      );
    }
    expect(outcomes.slice(0, 2)).toEqual(['made', 'made']);
    expect(outcomes[2]).toMatch(/^over_budget: ROUTER: not made, over a budget cap: daily budget of namespace default/);
    expect(veo.stats.contentRequests - before).toBe(2);
    expect(await ledger(today())).toMatchObject({ capUsd: 0.005, spentUsd: 0.0032, reservedUsd: 0 });
  });
});
