/**
 * The studio page in a real browser (Debian's chromium through playwright-core) against the real
 * stack: the test Temporal server, a worker with the real activities and the offline Veo server
 * (real SDK, real ffmpeg), and the API listening on 127.0.0.1. One browser for the file; the
 * resume path uses stand-in activities on their own queue (it tests the page's part, not a stage).
 * Screenshots go to test-results/studio/ (git-ignored).
 */
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { mkdir, readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app';
import { startEpisode, startReel } from '../../src/cli/runs';
import type { AppConfig } from '../../src/config';
import { locateBrowser } from '../../src/dev/browser';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { probe } from '../../src/media/ffmpeg';
import type { LocalVeoServer } from '../../src/offlineVeo/server';
import { buildStudio } from '../../src/studio/build';
import { createWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { smallPodcast, tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo } from '../helpers/offlineVeo';
import { crash, standInActivities } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { writeTestPrices } from '../helpers/prices';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { withStandInWorker } from '../helpers/workflows';

const SCREENSHOTS = path.resolve(__dirname, '../../test-results/studio');
const TOKEN = 'studio-test-token-0123456789';
/** Real renders on a busy 2-core machine: generous, and never what decides a test. */
const SLOW = { timeout: 480_000 };

let temporal: TestTemporal;
let bundle: WorkflowBundle;
let dir: string;
let sample: SamplePodcast;
let config: AppConfig;
let veo: LocalVeoServer;
let worker: Worker;
let running: Promise<void>;
let browser: Browser;
const apps: FastifyInstance[] = [];
let base: string;
let tokenBase: string;
/** The reel the first test finishes, reviewed again behind a token by the last. */
let finishedId: string | undefined;

async function listen(app: FastifyInstance): Promise<string> {
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const executablePath = await locateBrowser();
  if (!executablePath)
    throw new Error('no chromium: run `npm run setup` (installs Debian chromium) or set CHROMIUM_PATH');
  temporal = await connectTestTemporal();
  dir = await tempDir('studio');
  const studioDir = path.join(dir, 'studio');
  [bundle, sample] = await Promise.all([
    bundleWorkflows(),
    smallPodcast(path.join(dir, 'sample'), 70),
    buildStudio(studioDir),
    mkdir(SCREENSHOTS, { recursive: true }),
  ]);
  config = testConfig(dir, {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: uniqueName('studio'),
    VEO3_POLL_INITIAL_S: '0.5',
    VEO3_POLL_MAX_S: '2',
    VEO3_TIMEOUT_S: '900',
    // Offline video priced at $0.50 a second, so the page has costs to show (nothing is paid).
    PRICES_PATH: await writeTestPrices(dir),
  });
  // The first B-roll submission never finishes: the test, not the clock, decides when B-roll ends.
  veo = await startOfflineVeo(dir, { faults: [{ match: 'Documentary B-roll', fault: 'hang', times: 1 }] });
  worker = await createWorker({
    connection: temporal.nativeConnection,
    config,
    providers: providersFor(veo, config),
    workflowBundle: bundle,
  });
  running = worker.run();
  base = await listen(buildApp({ client: temporal.client, config, studioDir }));
  tokenBase = await listen(
    buildApp({ client: temporal.client, config: { ...config, api: { ...config.api, token: TOKEN } }, studioDir }),
  );
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const app of apps) await app.close();
  worker?.shutdown();
  await running;
  await veo?.stop();
  await temporal?.close();
});

/** A fresh tab (its own sessionStorage) that fails the test on any script error or CSP violation. */
async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/.test(msg.text())) problems.push(msg.text());
  });
  await page.goto(url);
  return { page, problems };
}

/** The few video element fields the tests read (the test project has no DOM types). */
interface VideoLike {
  readyState: number;
  duration: number;
  currentTime: number;
}
/**
 * Reads the player's fields. (page.waitForFunction is no use here: its predicates are evaluated as
 * strings inside the page, which the studio's CSP forbids, as it should.)
 */
const playerField = (page: Page, field: keyof VideoLike) =>
  page.locator('#player').evaluate((video, name) => (video as unknown as VideoLike)[name], field);

const runIdOf = (page: Page) => decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));

describe('the studio page in a real browser', () => {
  it('uploads a source, starts a reel, follows it live, cancels B-roll, then plays and downloads the reel', async () => {
    const { page, problems } = await openPage(`${base}/`);
    await page.locator('#health').filter({ hasText: 'reachable' }).waitFor();
    // Set on this document: if the page reloaded, it would be gone.
    await page.evaluate('window.studioMarker = 42');

    // Only the fields of the chosen kind and source are shown.
    expect(await page.locator('#source-file').isVisible()).toBe(true);
    expect(await page.locator('#source-path').isVisible()).toBe(false);
    expect(await page.locator('#source-url').isVisible()).toBe(false);
    expect(await page.locator('#prompt').isVisible()).toBe(false);
    await page.setInputFiles('#source-file', sample.video);
    await page.setInputFiles('#transcript-file', sample.srt);
    await page.fill('#clips', '2');
    // A 30 s reel (the shortest the form allows): nothing below depends on its length, and it is a
    // 1080x1920 encode, half the default's.
    await page.fill('#duration', '30');
    // The estimate follows the form before anything is uploaded: 2 clips of 4 + 6 s at $0.50/s.
    await page.locator('#cost-estimate strong', { hasText: 'Estimated cost: $5.00' }).waitFor(SLOW);
    expect(await page.locator('#cost-estimate li[data-kind="video"]').textContent()).toContain(
      '2 B-roll clips (4 + 6 s)',
    );
    expect(await page.locator('#cost-estimate').textContent()).toContain('before anything is uploaded');
    await page.locator('#cost-estimate').screenshot({ path: path.join(SCREENSHOTS, 'form-estimate.png') });
    await page.click('#start-button');
    await page.waitForURL(/#\/runs\/reel-/, SLOW);
    const id = runIdOf(page);

    // B-roll is generating beside the picture stages: one clip ready, one held by the server, so the
    // run cannot get past VEO3_AWAIT until the page cancels B-roll.
    await page.locator('#clips tr[data-status="done"]').waitFor(SLOW);
    await page.locator('#clips tr[data-status="submitted"]').waitFor(SLOW);
    await page.locator('#timeline li[data-stage="CONTENT"][data-state="completed"]').waitFor(SLOW);
    expect(await page.locator('#run-status').getAttribute('data-execution')).toBe('RUNNING');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'run-page-generating.png'), fullPage: true });

    await page.click('button[data-action="broll/cancel"]');
    await page
      .locator('#action-message')
      .filter({ hasText: /^Cancel B-roll: done/ })
      .waitFor(SLOW);

    // The stages advance to the end on the same document, fed by the API's event stream.
    await page.locator('#run-status[data-execution="COMPLETED"]').waitFor(SLOW);
    await page.locator('#timeline li[data-stage="DELIVERY"][data-state="completed"]').waitFor(SLOW);
    expect(await page.locator('#timeline li[data-state="completed"]').count()).toBe(9);
    expect(await page.evaluate('window.studioMarker')).toBe(42);
    await page.locator('#clips tr[data-status="cancelled"]').waitFor(SLOW);
    expect(await page.locator('#clips tr[data-status="done"]').count()).toBe(1);
    // Estimated and actual cost: the estimate recorded at the start, and each accepted clip as metered.
    const cost = page.locator('#run-cost strong');
    expect(await cost.getAttribute('data-estimated')).toBe('5');
    const detail = (await (await fetch(`${base}/api/projects/${encodeURIComponent(id)}`)).json()) as {
      progress: { cost: { actualUsd: number; calls: { kind: string }[] } };
    };
    const metered = detail.progress.cost;
    expect(metered.actualUsd).toBeGreaterThan(0);
    expect(await cost.textContent()).toBe(`Cost: estimated $5.00, actual $${metered.actualUsd.toFixed(2)}`);
    expect(await page.locator('#run-cost li[data-clip]').count()).toBe(
      metered.calls.filter((c) => c.kind === 'video').length,
    );

    // The reel plays: enough data for the current frame, and as long as the file on disk.
    const reelPath = path.join(config.outputDir, id, 'reel.mp4');
    const reel = await probe(reelPath);
    // The form's duration reached the request (30 s asks for a 30–35 s moment; the default is 60–90 s).
    expect(reel.durationS).toBeLessThanOrEqual(35);
    // HAVE_CURRENT_DATA or better: the browser has decoded a frame to show.
    await expect.poll(() => playerField(page, 'readyState'), SLOW).toBeGreaterThanOrEqual(2);
    const duration = await playerField(page, 'duration');
    expect(Math.abs(duration - reel.durationS)).toBeLessThan(0.2);

    // The transcript of the moment sits beside it; a click on a line seeks there.
    const line = page.locator('#transcript button.line').nth(2);
    const start = Number(await line.getAttribute('data-start'));
    await line.click();
    await expect.poll(async () => Math.abs((await playerField(page, 'currentTime')) - start), SLOW).toBeLessThan(1.5);
    // The one clip placed is marked on the timeline bar where broll-placements.json puts it.
    const placements = JSON.parse(await readFile(path.join(config.runsDir, id, 'broll-placements.json'), 'utf8'));
    expect(placements.placed).toHaveLength(1);
    expect(await page.locator('#placements .mark').count()).toBe(1);
    // Three descriptions and the hashtags, each with a copy button that puts exactly that text on the clipboard.
    const assets = JSON.parse(await readFile(path.join(config.outputDir, id, 'publishing-assets.json'), 'utf8'));
    expect(await page.locator('#copy button.copy').count()).toBe(4);
    const copy = page.locator('#copy button.copy').nth(1);
    await copy.click();
    await page.locator('#copy button.copy', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(assets.descriptions[1]);

    // The download link serves the very file, as an attachment.
    const link = page.locator('#downloads a', { hasText: 'reel.mp4' });
    const download = await page.evaluate(
      async (href) => {
        const response = await fetch(href);
        return {
          bytes: (await response.arrayBuffer()).byteLength,
          disposition: response.headers.get('content-disposition'),
        };
      },
      (await link.getAttribute('href'))!,
    );
    expect(download.bytes).toBe((await stat(reelPath)).size);
    expect(download.disposition).toContain(`attachment; filename="${id}-reel.mp4"`);

    await page.screenshot({ path: path.join(SCREENSHOTS, 'run-page-review.png'), fullPage: true });
    expect(problems).toEqual([]);
    finishedId = id;
    await page.context().close();
  }, 600_000);

  it('shows why a run failed, in words, when the instructions name a missing overlay', async () => {
    const { page, problems } = await openPage(`${base}/`);
    await page.selectOption('#source-mode', 'path');
    expect(await page.locator('#source-file').isVisible()).toBe(false);
    await page.fill('#source-path', sample.video);
    await page.fill('#instructions', 'Overlay brand/missing-logo.png at 0:03 for 2s.');
    await page.click('#start-button');
    await page.waitForURL(/#\/runs\/reel-/, SLOW);
    const why = page.locator('#run-error');
    await why.filter({ hasText: 'brand/missing-logo.png' }).waitFor(SLOW);
    expect(await why.textContent()).toMatch(/^Why it stopped: .*brand\/missing-logo\.png/);
    await page.locator('#timeline li[data-stage="ROUTER"][data-state="failed"]').waitFor(SLOW);
    // Bad input closes the run (shortly after the stage is recorded as failed); a closed run takes no
    // commands, so the page offers none.
    await page.locator('#run-status[data-execution="FAILED"]').waitFor(SLOW);
    await page.locator('button[data-action="resume"]:disabled').waitFor(SLOW);
    expect(await page.locator('.actions button:enabled').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'run-page-failed.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('resumes a run that waits for resume, from its page, and shows the outcome', async () => {
    const standIns = standInActivities({ prompts: [] });
    standIns.failNext.renderSegments = [crash('encoder crashed: no space left on device')];
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const handle = await startReel(temporal.client, taskQueue, { source: '/media/talk.mp4' });
      const { page, problems } = await openPage(`${base}/#/runs/${handle.workflowId}`);
      await page.locator('#run-status[data-status="FAILED"]').waitFor(SLOW);
      expect(await page.locator('#run-status').textContent()).toContain(
        'Stopped at FFMPEG_ENGINEER: waiting for resume',
      );
      expect(await page.locator('#run-error').textContent()).toContain('encoder crashed: no space left on device');

      await page.click('button[data-action="resume"]');
      await page
        .locator('#action-message')
        .filter({ hasText: /^Resume: done/ })
        .waitFor(SLOW);
      await page.locator('#run-status[data-execution="COMPLETED"]').waitFor(SLOW);
      expect(await page.locator('#run-error').isHidden()).toBe(true);
      expect(standIns.calls.renderSegments).toBe(2);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });

  it("shows an episode's ranked clips, each linking to its own run, where a waiting clip resumes", async () => {
    // Clip 2's moment starts at 100 s: its LAYOUT_DETECTIVE crashes, so it waits while the others deliver.
    const failingLayouts = [100];
    const standIns = standInActivities({ failingLayouts, parallelClips: 3 });
    await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const handle = await startEpisode(temporal.client, taskQueue, { source: '/media/talk.mp4', count: 3 });
      const { page, problems } = await openPage(`${base}/#/runs/${handle.workflowId}`);
      await page.locator('#run-status[data-execution="COMPLETED"]').waitFor(SLOW);
      await page.locator('#episode-clips tbody tr[data-rank="3"]').waitFor(SLOW);
      const rows = page.locator('#episode-clips tbody tr');
      expect(await rows.count()).toBe(3);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual([
        'delivered',
        'waiting',
        'delivered',
      ]);
      expect(await rows.nth(0).textContent()).toContain('Hook 1');
      expect(await rows.nth(1).textContent()).toContain('waiting for resume LAYOUT_DETECTIVE');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'episode-page.png'), fullPage: true });

      // The waiting clip's own page: it names its episode, and Resume there delivers it.
      failingLayouts.length = 0;
      await rows.nth(1).locator('a').click();
      await page.locator('#run-status[data-status="FAILED"]').waitFor(SLOW);
      expect(await page.locator('#episode').textContent()).toContain(`Clip of episode ${handle.workflowId}`);
      await page.click('button[data-action="resume"]');
      await page.locator('#run-status[data-execution="COMPLETED"]').waitFor(SLOW);
      expect(runIdOf(page)).toBe(`${handle.workflowId}-clip2`);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });

  it('with API_TOKEN set, does nothing until the token is given, then works with it (video included)', async () => {
    const { page, problems } = await openPage(`${tokenBase}/`);
    await page.locator('#token').waitFor();
    await page.locator('#locked').waitFor();
    await page.selectOption('#source-mode', 'path');
    await page.fill('#source-path', sample.video);
    await page.click('#start-button');
    await page.locator('#start-message').filter({ hasText: 'Enter the API token' }).waitFor();
    expect(await page.locator('#runs').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'token-asked.png') });

    await page.fill('#token-input', 'not-the-right-token-at-all');
    await page.click('#token-form button');
    await page.locator('#token-message').filter({ hasText: 'refused' }).waitFor();
    await page.fill('#token-input', TOKEN);
    await page.click('#token-form button');
    await page.locator('#runs tbody tr[data-id]').first().waitFor(SLOW);
    expect(await page.locator('#token').isHidden()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home.png'), fullPage: true });

    // The finished reel plays here too: the video and downloads carry a ticket, never the token.
    expect(finishedId).toBeDefined();
    await page.goto(`${tokenBase}/#/runs/${finishedId}`);
    await expect.poll(() => playerField(page, 'readyState'), SLOW).toBeGreaterThanOrEqual(2);
    const src = await page.locator('#player').getAttribute('src');
    expect(src).toMatch(/\?ticket=\d+\./);
    expect(src).not.toContain(TOKEN);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
