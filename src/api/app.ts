/**
 * The HTTP API's routes (Fastify). Building the app never listens: src/api/server.ts does, and
 * tests call `inject`. Runs live in Temporal, so restarting the API loses nothing.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ListFilters } from '../cli/runs';
import { controlRun, RejectedError } from '../cli/control';
import {
  ListFiltersSchema,
  listRuns,
  prepareEpisodeRequest,
  prepareReelRequest,
  prepareVideoRequest,
  startEpisode,
  startReel,
  startVideo,
} from '../cli/runs';
import { UsageError } from '../cli/usage';
import { estimateRun } from './estimate';
import type { AppConfig } from '../config';
import { ControlName } from '../domain/control';
import { MAX_RUN_ID_LENGTH } from '../domain/ids';
import { parseWith } from '../domain/validation';
import { STUDIO_BUILD_DIR } from '../studio/build';
import { findArtifact, isArtifactName, listArtifacts } from './artifacts';
import { isInside, sendFile } from './files';
import { hasActivityPollers } from '../temporal/pollers';
import { HostFiles, HostUnavailableError } from './hostFiles';
import { streamLive } from './live';
import { openApiDocument } from './openapi';
import { describeProject, isClosed, NotFoundError, PROJECT_ID } from './projects';
import { registerStudio } from './studio';
import { issueTicket, ticketAllows } from './tickets';
import { saveUpload } from './uploads';

export { parseRange } from './files';

export interface AppOptions {
  client: Client;
  /** Estimates need the full settings (providers, models, prices); the other routes need only these. */
  config: Pick<AppConfig, 'temporal' | 'outputDir' | 'runsDir' | 'api' | 'source'> | AppConfig;
  /** Where the built studio page is (default .studio/, see src/studio/build.ts). */
  studioDir?: string;
}

/** Route options: `public` needs no token; `ticket` also accepts a ticket for the run (or `runs`) in `?ticket=`. */
declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean;
    ticket?: 'project' | 'runs';
  }
}

/** Sent with every response: the page and everything it loads come from this server only, nothing inline. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** The one place HTTP errors are shaped: `{ error }` with the right status. */
function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof NotFoundError) return reply.code(404).send({ error: err.message });
  if (err instanceof RejectedError) return reply.code(409).send({ error: err.message });
  if (err instanceof HostUnavailableError) return reply.code(503).send({ error: err.message });
  if (err instanceof UsageError)
    return reply.code(/^no run with id/.test(err.message) ? 404 : 400).send({ error: err.message });
  const status = (err as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) return reply.code(status).send({ error: (err as Error).message });
  reply.log.error(err);
  return reply.code(500).send({ error: 'internal error' });
}

function projectId(request: IdRequest): string {
  const { id } = request.params;
  if (!PROJECT_ID.test(id)) throw new UsageError(`id: "${id}" is not a project id`);
  return id;
}

export function buildApp({ client, config, studioDir = STUDIO_BUILD_DIR }: AppOptions): FastifyInstance {
  // Route parameters are run ids: the server accepts exactly the ids the schema and OpenAPI allow.
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: MAX_RUN_ID_LENGTH } });
  const token = config.api.token;
  const outputDir = path.resolve(config.outputDir);
  const dirs = { runsDir: path.resolve(config.runsDir), outputDir };
  // A run made on another host: its files come from that host's worker (see hostFiles.ts).
  const hostFiles = new HostFiles(client, config.temporal.taskQueue);
  // An upload is saved on this API's disk only: a run that reads one is asked to run on this host
  // when a worker serves this host's queues (one that shares this runs folder, as in `reelflow dev`),
  // not on whichever host answers first. With no such worker (a lone API, or a single worker that
  // serves everything) the run is left to any host, as before.
  const uploadsDir = path.join(dirs.runsDir, 'uploads');
  const thisHost = 'host' in config ? config.host : undefined;
  const onUploadsHost = async <R extends { source: string; transcript?: string; host?: string }>(
    request: R,
  ): Promise<R> =>
    thisHost &&
    request.host === undefined &&
    [request.source, request.transcript].some((f) => f && isInside(uploadsDir, f)) &&
    (await hasActivityPollers(client, config.temporal.namespace, thisHost.hostQueue))
      ? { ...request, host: thisHost.hostId }
      : request;

  app.addHook('onRequest', async (request, reply) => {
    if (!token || request.url === '/api/health' || request.url === '/api/openapi.json') return;
    const route = request.routeOptions.config;
    if (route.public) return;
    if (request.headers.authorization === `Bearer ${token}`) return;
    if (route.ticket) {
      const scope = route.ticket === 'runs' ? 'runs' : (request.params as { id?: string }).id;
      if (scope && ticketAllows(token, scope, (request.query as { ticket?: unknown }).ticket)) return;
    }
    return reply.code(401).send({ error: 'missing or wrong bearer token' });
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.setErrorHandler((err, _request, reply) => sendError(reply, err));

  app.get('/api/health', async (_request, reply) => {
    try {
      await client.workflowService.getSystemInfo({});
      return {
        status: 'ok',
        temporal: { address: config.temporal.address, reachable: true },
        auth: { tokenRequired: Boolean(token) },
      };
    } catch (err) {
      return reply.code(503).send({
        status: 'degraded',
        temporal: { address: config.temporal.address, reachable: false, error: (err as Error).message },
        auth: { tokenRequired: Boolean(token) },
      });
    }
  });

  app.get('/api/openapi.json', async () => openApiDocument());

  app.post('/api/generate', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const handle = await startVideo(client, config.temporal.taskQueue, prepareVideoRequest(body));
    return reply.code(202).send({ projectId: handle.workflowId });
  });

  // No Temporal needed: the API's own settings (providers, models, clip count, prices).
  app.post('/api/estimate', async (request) => {
    if (!('veo3' in config)) throw new Error('this API server was built without the settings estimates need');
    return estimateRun(config, request.body ?? {});
  });

  app.post('/api/reels', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const handle = await startReel(client, config.temporal.taskQueue, await onUploadsHost(prepareReelRequest(body)));
    return reply.code(202).send({ projectId: handle.workflowId });
  });

  // An episode: its ranked clips show in GET /api/projects/:id (progress.clips, then result.clips).
  app.post('/api/episodes', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const handle = await startEpisode(
      client,
      config.temporal.taskQueue,
      await onUploadsHost(prepareEpisodeRequest(body)),
    );
    return reply.code(202).send({ projectId: handle.workflowId });
  });

  app.get('/api/projects', async (request) => {
    const parsed = parseWith<ListFilters>(ListFiltersSchema, request.query ?? {});
    if (!parsed.ok) throw new UsageError(parsed.message);
    return { projects: await listRuns(client, parsed.value) };
  });

  app.get('/api/projects/:id', async (request: IdRequest) => describeProject(client, projectId(request)));

  app.get('/api/projects/:id/status', async (request: IdRequest) => {
    const { id, execution, status, error, failedStage, awaitingResume, progress } = await describeProject(
      client,
      projectId(request),
    );
    return {
      id,
      execution,
      status,
      stage: progress?.stage ?? null,
      phase: progress?.phase ?? null,
      error,
      failedStage,
      awaitingResume,
      ...(awaitingResume ? { resumeWith: `POST /api/projects/${id}/resume` } : {}),
      broll: progress?.broll ?? null,
      // Episodes: the ranked table (rank, score, hook, reason, time range, duration, path, cost, status).
      ...(progress?.clips ? { clips: progress.clips } : {}),
    };
  });

  for (const [route, update] of [
    ['resume', ControlName.RESUME],
    ['broll/retry', ControlName.RETRY_BROLL],
    ['broll/cancel', ControlName.CANCEL_BROLL],
  ] as const) {
    app.post(`/api/projects/:id/${route}`, async (request: IdRequest) => {
      const id = projectId(request);
      return { projectId: id, update, outcome: await controlRun(client, id, update) };
    });
  }

  app.get('/api/projects/:id/download', { config: { ticket: 'project' } }, async (request: IdRequest, reply) => {
    const id = projectId(request);
    const { result } = await describeProject(client, id);
    const file = (result?.videoPath ?? result?.reelPath) as string | undefined;
    if (!file) return reply.code(409).send({ error: 'the project has no finished video yet' });
    // Only files the pipeline delivered: never anything outside the output folder (this host's, or the run's host's).
    const here =
      isInside(outputDir, file) &&
      (await stat(file).then(
        (info) => info.isFile(),
        () => false,
      ));
    if (here) return sendFile(request, reply, path.resolve(file));
    const name = path.basename(file);
    const sent = isArtifactName(name) ? await hostFiles.send(request, reply, id, name) : undefined;
    return sent ?? reply.code(404).send({ error: 'the video is not in the output folder' });
  });

  // A run's files by name (see artifacts.ts): the list, then each one (Range works; ?download=1 names it).
  // Files of a run made on another host come from that host (hostFiles.ts).
  app.get('/api/projects/:id/files', async (request: IdRequest) => {
    const id = projectId(request);
    const here = await listArtifacts(dirs, id);
    return { id, files: here.length > 0 ? here : await hostFiles.list(id) };
  });
  app.get(
    '/api/projects/:id/files/:name',
    { config: { ticket: 'project' } },
    async (
      request: FastifyRequest<{ Params: { id: string; name: string }; Querystring: { download?: string } }>,
      reply,
    ) => {
      const id = projectId(request);
      const { name } = request.params;
      if (!isArtifactName(name)) throw new UsageError(`name: "${name}" is not a run file the API serves`);
      const attachment = request.query.download ? `${id}-${name}` : undefined;
      const file = await findArtifact(dirs, id, name);
      if (file) return sendFile(request, reply, file, attachment);
      const sent = await hostFiles.send(request, reply, id, name, attachment);
      return sent ?? reply.code(404).send({ error: `${id} has no ${name} (yet)` });
    },
  );

  // Tickets for what the browser loads by URL (video, downloads, live streams): see tickets.ts.
  app.post('/api/tickets', async (request) => {
    const { scope } = (request.body ?? {}) as { scope?: unknown };
    if (typeof scope !== 'string' || (scope !== 'runs' && !PROJECT_ID.test(scope)))
      throw new UsageError('scope: must be "runs" or a project id');
    return token ? issueTicket(token, scope) : { ticket: null, expiresAt: null };
  });

  // Uploads arrive as the raw body (no multipart parsing): streamed to disk under the size cap.
  app.register(async (scope) => {
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post('/api/uploads', async (request: FastifyRequest<{ Querystring: { name?: string } }>, reply) => {
      const declared = Number(request.headers['content-length']);
      const saved = await saveUpload({
        body: (request.body as Readable | undefined) ?? request.raw,
        name: request.query.name,
        ...(Number.isFinite(declared) ? { declaredBytes: declared } : {}),
        runsDir: dirs.runsDir,
        maxBytes: config.source.maxBytes,
      });
      return reply.code(201).send(saved);
    });
  });

  // Live views for the studio: the runs list and one run, as Server-Sent Events.
  app.get('/api/live/projects', { config: { ticket: 'runs' } }, async (request, reply) => {
    const { ticket: _ticket, ...query } = (request.query ?? {}) as Record<string, unknown>;
    const parsed = parseWith<ListFilters>(ListFiltersSchema, query);
    if (!parsed.ok) throw new UsageError(parsed.message);
    streamLive(request, reply, { read: () => listRuns(client, parsed.value), intervalMs: 2000 });
  });
  app.get('/api/live/projects/:id', { config: { ticket: 'project' } }, async (request: IdRequest, reply) => {
    const id = projectId(request);
    await describeProject(client, id); // an unknown id is a plain 404, before the stream starts
    streamLive(request, reply, { read: () => describeProject(client, id), isFinal: (d) => isClosed(d.execution) });
  });

  registerStudio(app, studioDir);
  return app;
}
