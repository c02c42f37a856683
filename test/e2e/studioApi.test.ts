/**
 * The API routes the studio page relies on, without a browser: the page itself under its CSP,
 * uploads (streamed, capped), run files by name only, and tickets in place of the token for URLs
 * the browser loads by itself. The browser test (studio.browser.test.ts) covers the page's use of them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { hasActivityPollers } from '../../src/temporal/pollers';
import { issueTicket, ticketAllows, TICKET_TTL_MS } from '../../src/api/tickets';
import { buildStudio } from '../../src/studio/build';
import { testConfig } from '../helpers/config';
import { tempDir } from '../helpers/media';
import type { TestTemporal } from '../helpers/temporal';
import { connectTestTemporal } from '../helpers/temporal';
import { eventually } from '../helpers/workflows';

const TOKEN = 'studio-api-test-token-123456';
const ID = 'reel-talk-abc123';

let temporal: TestTemporal;
let dir: string;
let studioDir: string;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  dir = await tempDir('studio-api');
  studioDir = await buildStudio(path.join(dir, 'studio'));
  // A run's files as DELIVERY and the stages leave them.
  await mkdir(path.join(dir, 'runs', ID), { recursive: true });
  await mkdir(path.join(dir, 'output', ID), { recursive: true });
  await writeFile(path.join(dir, 'runs', ID, 'moment.json'), JSON.stringify({ startS: 10, endS: 75, cues: [] }));
  await writeFile(path.join(dir, 'runs', ID, 'request.json'), '{}');
  await writeFile(path.join(dir, 'output', ID, 'reel.mp4'), Buffer.alloc(4000, 7));
});
afterAll(() => temporal?.close());

function appFor(env: Record<string, string> = {}, studio = studioDir) {
  const config = testConfig(dir, { TEMPORAL_ADDRESS: temporal.address, ...env });
  return buildApp({ client: temporal.client, config, studioDir: studio });
}

describe('studio routes', () => {
  it('serves the page and its files under a strict CSP, needing no token for them', async () => {
    const app = appFor({ API_TOKEN: TOKEN });
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.body).toContain('<script type="module" src="/studio/app.js"></script>');
    expect(page.body).not.toMatch(/<script>|<style>|\sstyle="|\son\w+="/);
    const script = await app.inject({ method: 'GET', url: '/studio/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect((await app.inject({ method: 'GET', url: '/studio/..%2Fpackage.json' })).statusCode).toBe(404);
    // Everything else still needs the token; the API's answers carry the same headers.
    const list = await app.inject({ method: 'GET', url: '/api/projects' });
    expect(list.statusCode).toBe(401);
    expect(list.headers['x-content-type-options']).toBe('nosniff');
    const health = (await app.inject({ method: 'GET', url: '/api/health' })).json();
    expect(health.auth).toEqual({ tokenRequired: true });
  });

  it('says how to build the page when it is not built', async () => {
    const response = await appFor({}, path.join(dir, 'nothing-here')).inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toContain('npm run setup');
  });

  it('streams an upload to RUNS_DIR/uploads and refuses one past SOURCE_MAX_BYTES, keeping nothing of it', async () => {
    const app = appFor({ SOURCE_MAX_BYTES: '1000' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const upload = (name: string, chunks: Buffer[]) =>
        fetch(`${base}/api/uploads?name=${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          // A stream has no length up front, so the cap is enforced while the bytes arrive.
          body: new ReadableStream({
            start(controller) {
              for (const chunk of chunks) controller.enqueue(chunk);
              controller.close();
            },
          }),
          duplex: 'half',
        } as RequestInit);
      const ok = await upload('my talk.mp4', [Buffer.alloc(400, 1), Buffer.alloc(400, 2)]);
      expect(ok.status).toBe(201);
      const saved = (await ok.json()) as { path: string; name: string; bytes: number };
      expect(saved).toMatchObject({ name: 'my_talk.mp4', bytes: 800 });
      expect(path.dirname(path.dirname(saved.path))).toBe(path.join(dir, 'runs', 'uploads'));
      expect((await readFile(saved.path)).subarray(400)).toEqual(Buffer.alloc(400, 2));

      const before = await readdir(path.join(dir, 'runs', 'uploads'));
      const big = await upload('big.mp4', [Buffer.alloc(600), Buffer.alloc(600)]);
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: string }).error).toMatch(
        /^big\.mp4 is larger than the upload limit .*SOURCE_MAX_BYTES/,
      );
      expect(await readdir(path.join(dir, 'runs', 'uploads'))).toEqual(before);

      // Declared too large: refused before a byte is stored.
      const declared = await app.inject({
        method: 'POST',
        url: '/api/uploads?name=x.mp4',
        headers: { 'content-type': 'application/octet-stream' },
        payload: Buffer.alloc(2000),
      });
      expect(declared.statusCode).toBe(413);
      const wrong = await upload('notes.exe', [Buffer.alloc(10)]);
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as { error: string }).error).toMatch(
        /^name: "notes\.exe" is not a video or transcript/,
      );
    } finally {
      await app.close();
    }
  });

  it('asks for a run from an upload to run on this host when a worker serves it (the upload is on its disk only)', async () => {
    const app = appFor();
    const config = testConfig(dir, { TEMPORAL_ADDRESS: temporal.address });
    const uploaded = await app.inject({
      method: 'POST',
      url: '/api/uploads?name=talk.mp4',
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(100, 3),
    });
    const { path: uploadPath } = uploaded.json() as { path: string };
    // What the workflow was started with (no worker serves this test's workflow queue: nothing runs).
    const startedWith = async (body: Record<string, unknown>) => {
      const started = await app.inject({ method: 'POST', url: '/api/reels', payload: body });
      expect(started.statusCode, started.body).toBe(202);
      const handle = temporal.client.workflow.getHandle((started.json() as { projectId: string }).projectId);
      const history = await handle.fetchHistory();
      await handle.terminate('test: only its input is read');
      const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      return JSON.parse(Buffer.from(payload.data!).toString('utf8')) as { source: string; host?: string };
    };
    // No worker serves this host's queues (a lone API, or one worker serving everything): any host.
    expect((await startedWith({ source: uploadPath })).host).toBeUndefined();

    // A worker of this host (this runs folder) polls its light queue: the upload's run goes there.
    const hostWorker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: config.host.hostQueue,
      activities: { claimHost: () => Promise.resolve(null) },
    });
    await hostWorker.runUntil(async () => {
      await eventually(
        () => hasActivityPollers(temporal.client, config.temporal.namespace, config.host.hostQueue),
        (polled) => polled,
      );
      expect(await startedWith({ source: uploadPath })).toMatchObject({ source: uploadPath, host: config.host.hostId });
      expect((await startedWith({ source: path.join(dir, 'elsewhere.mp4') })).host).toBeUndefined();
      expect((await startedWith({ source: uploadPath, host: 'chosen-host' })).host).toBe('chosen-host');
    });
  });

  it("serves a run's files by name only, from its output folder or workspace, with Range", async () => {
    const app = appFor();
    const listed = (await app.inject({ method: 'GET', url: `/api/projects/${ID}/files` })).json();
    expect(listed.files).toEqual([
      { name: 'reel.mp4', bytes: 4000 },
      { name: 'moment.json', bytes: expect.any(Number) },
    ]);
    const moment = await app.inject({ method: 'GET', url: `/api/projects/${ID}/files/moment.json` });
    expect(moment.json()).toMatchObject({ startS: 10 });
    const part = await app.inject({
      method: 'GET',
      url: `/api/projects/${ID}/files/reel.mp4?download=1`,
      headers: { range: 'bytes=0-99' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.length).toBe(100);
    expect(part.headers['content-disposition']).toBe(`attachment; filename="${ID}-reel.mp4"`);
    // Not on the list (even though it exists), climbing out, or a bad id: refused.
    expect((await app.inject({ method: 'GET', url: `/api/projects/${ID}/files/request.json` })).statusCode).toBe(400);
    expect(
      (await app.inject({ method: 'GET', url: `/api/projects/${ID}/files/..%2F..%2Fpackage.json` })).statusCode,
    ).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/projects/..%2Fruns/files/moment.json' })).statusCode).toBe(
      400,
    );
    expect((await app.inject({ method: 'GET', url: `/api/projects/${ID}/files/summary.md` })).statusCode).toBe(404);
  });

  it('accepts a ticket instead of the token, only for its run, only on routes a browser loads by URL', async () => {
    const app = appFor({ API_TOKEN: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const file = `/api/projects/${ID}/files/moment.json`;
    expect((await app.inject({ method: 'GET', url: file })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/tickets', payload: { scope: ID } })).statusCode).toBe(401);
    const { ticket } = (
      await app.inject({ method: 'POST', url: '/api/tickets', payload: { scope: ID }, headers: auth })
    ).json() as { ticket: string };
    expect(ticket).not.toContain(TOKEN);
    expect((await app.inject({ method: 'GET', url: `${file}?ticket=${ticket}` })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: `/api/projects/reel-other-000000/files/moment.json?ticket=${ticket}` }))
        .statusCode,
    ).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/api/projects/${ID}/files?ticket=${ticket}` })).statusCode).toBe(
      401,
    );
    expect((await app.inject({ method: 'GET', url: `${file}?ticket=${ticket.replace(/.$/, 'x')}` })).statusCode).toBe(
      401,
    );
    const bad = await app.inject({ method: 'POST', url: '/api/tickets', payload: { scope: '../x' }, headers: auth });
    expect(bad.statusCode).toBe(400);
    // Tickets expire, and one signed with another token is worthless.
    const issued = issueTicket(TOKEN, ID, 0);
    expect(ticketAllows(TOKEN, ID, issued.ticket, TICKET_TTL_MS - 1)).toBe(true);
    expect(ticketAllows(TOKEN, ID, issued.ticket, TICKET_TTL_MS + 1)).toBe(false);
    expect(ticketAllows(`${TOKEN}-other`, ID, issued.ticket, 1)).toBe(false);
  });
});
