/**
 * The HTTP API's routes (Fastify). Building the app never listens: src/api/server.ts does, and
 * tests call `inject`. Runs live in Temporal, so restarting the API loses nothing.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListFilters } from '../cli/runs';
import { controlRun, RejectedError } from '../cli/control';
import {
  ListFiltersSchema,
  listRuns,
  prepareReelRequest,
  prepareVideoRequest,
  startReel,
  startVideo,
} from '../cli/runs';
import { UsageError } from '../cli/usage';
import { estimateRun } from './estimate';
import type { AppConfig } from '../config';
import { ControlName } from '../domain/control';
import { MAX_RUN_ID_LENGTH } from '../domain/ids';
import { parseWith } from '../domain/validation';
import { openApiDocument } from './openapi';
import { describeProject, NotFoundError, PROJECT_ID } from './projects';

export interface AppOptions {
  client: Client;
  /** Estimates need the full settings (providers, models, prices); the other routes need only these. */
  config: Pick<AppConfig, 'temporal' | 'outputDir' | 'api'> | AppConfig;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** The one place HTTP errors are shaped: `{ error }` with the right status. */
function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof NotFoundError) return reply.code(404).send({ error: err.message });
  if (err instanceof RejectedError) return reply.code(409).send({ error: err.message });
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

/** Parses `bytes=a-b` against a file size; undefined means "the whole file". */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | 'invalid' {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (!match[1] && !match[2])) return 'invalid';
  let start = match[1] ? Number(match[1]) : size - Number(match[2]);
  let end = match[1] && match[2] ? Number(match[2]) : size - 1;
  start = Math.max(0, start);
  end = Math.min(end, size - 1);
  return start > end || start >= size ? 'invalid' : { start, end };
}

export function buildApp({ client, config }: AppOptions): FastifyInstance {
  // Route parameters are run ids: the server accepts exactly the ids the schema and OpenAPI allow.
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: MAX_RUN_ID_LENGTH } });
  const token = config.api.token;
  const outputDir = path.resolve(config.outputDir);

  app.addHook('onRequest', async (request, reply) => {
    if (!token || request.url === '/api/health' || request.url === '/api/openapi.json') return;
    if (request.headers.authorization !== `Bearer ${token}`)
      return reply.code(401).send({ error: 'missing or wrong bearer token' });
  });
  app.setErrorHandler((err, _request, reply) => sendError(reply, err));

  app.get('/api/health', async (_request, reply) => {
    try {
      await client.workflowService.getSystemInfo({});
      return { status: 'ok', temporal: { address: config.temporal.address, reachable: true } };
    } catch (err) {
      return reply.code(503).send({
        status: 'degraded',
        temporal: { address: config.temporal.address, reachable: false, error: (err as Error).message },
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
    const handle = await startReel(client, config.temporal.taskQueue, prepareReelRequest(body));
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

  app.get('/api/projects/:id/download', async (request: IdRequest, reply) => {
    const { result } = await describeProject(client, projectId(request));
    const file = (result?.videoPath ?? result?.reelPath) as string | undefined;
    if (!file) return reply.code(409).send({ error: 'the project has no finished video yet' });
    // Only files the pipeline delivered: never anything outside the output folder.
    const resolved = path.resolve(file);
    if (!resolved.startsWith(`${outputDir}${path.sep}`))
      return reply.code(404).send({ error: 'the video is not in the output folder' });
    const { size } = await stat(resolved);
    const range = parseRange(request.headers.range, size);
    if (range === 'invalid')
      return reply.code(416).header('content-range', `bytes */${size}`).send({ error: 'range not satisfiable' });
    reply.header('accept-ranges', 'bytes').header('content-type', 'video/mp4');
    if (!range) return reply.header('content-length', size).send(createReadStream(resolved));
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1)
      .send(createReadStream(resolved, range));
  });

  return app;
}
