/** The API's OpenAPI 3.1 document, with request bodies from the same zod schemas the handlers use. */
import { z } from 'zod';
import { MAX_RUN_ID_LENGTH, RUN_ID_PATTERN } from '../domain/ids';
import { EpisodeRequestSchema } from '../domain/episode';
import { ReelRequestSchema } from '../domain/reel';
import { VideoRequestSchema } from '../domain/video';
import { ARTIFACT_NAMES } from './artifacts';
import { EstimateRequestSchema } from './estimate';

const json = (schema: unknown) => ({ 'application/json': { schema } });
const error = {
  description: 'error',
  content: json({ type: 'object', properties: { error: { type: 'string' } }, required: ['error'] }),
};
const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: RUN_ID_PATTERN, maxLength: MAX_RUN_ID_LENGTH },
};
const accepted = {
  description: 'accepted',
  content: json({ type: 'object', properties: { projectId: { type: 'string' } }, required: ['projectId'] }),
};
const answered = {
  description: "the run's answer to the Update",
  content: json({
    type: 'object',
    properties: { projectId: { type: 'string' }, update: { type: 'string' }, outcome: { type: 'object' } },
    required: ['projectId', 'update', 'outcome'],
  }),
};
const refused = { ...error, description: 'refused: the request makes no sense now (the error says why)' };
const any = { description: 'ok', content: json({ type: 'object' }) };
const file = { description: 'the file', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } };
const events = { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } };
/** Instead of the bearer header, for URLs a browser loads by itself (see POST /api/tickets). */
const ticketParam = { name: 'ticket', in: 'query', schema: { type: 'string' } };

export function openApiDocument(): Record<string, unknown> {
  const body = (schema: z.ZodType) => ({ required: true, content: json(z.toJSONSchema(schema, { io: 'input' })) });
  const project = (summary: string, responses: Record<string, unknown>, method: 'get' | 'post' = 'get') => ({
    [method]: { summary, parameters: [idParam], responses: { ...responses, '400': error, '401': error, '404': error } },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'reelflow API',
      version: '0.1.0',
      description: 'Start and inspect reelflow runs. Runs live in Temporal; the API keeps no state.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/api/health': {
        get: { summary: 'Whether Temporal is reachable', security: [], responses: { '200': any, '503': any } },
      },
      '/api/generate': {
        post: {
          summary: 'Start a prompt-to-video run',
          requestBody: body(VideoRequestSchema),
          responses: { '202': accepted, '400': error, '401': error },
        },
      },
      '/api/estimate': {
        post: {
          summary:
            'What a run would cost, per kind of call, under the server settings (same request as /api/reels or /api/generate)',
          requestBody: body(EstimateRequestSchema),
          responses: { '200': any, '400': error, '401': error },
        },
      },
      '/api/reels': {
        post: {
          summary: 'Start a reel run',
          requestBody: body(ReelRequestSchema),
          responses: { '202': accepted, '400': error, '401': error },
        },
      },
      '/api/episodes': {
        post: {
          summary:
            "Start an episode: the N best distinct moments of one source, one clip each (the ranked table is in the project's progress.clips)",
          requestBody: body(EpisodeRequestSchema),
          responses: { '202': accepted, '400': error, '401': error },
        },
      },
      '/api/projects': {
        get: {
          summary: 'List runs',
          parameters: [
            { name: 'kind', in: 'query', schema: { type: 'string', enum: ['reel', 'video', 'episode', 'clip'] } },
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string', enum: ['RUNNING', 'FAILED', 'COMPLETED', 'CANCELLED'] },
            },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          ],
          responses: { '200': any, '400': error, '401': error },
        },
      },
      '/api/projects/{id}': project('A run in detail: progress (stages or scenes), clips, result', { '200': any }),
      '/api/projects/{id}/status': project("A run's status and stage", { '200': any }),
      '/api/projects/{id}/resume': project(
        'Rerun the failed stage (outcome: the stage and attempt)',
        { '200': answered, '409': refused },
        'post',
      ),
      '/api/projects/{id}/broll/retry': project(
        'Resubmit failed clips now (outcome: keys resubmitted and re-polled)',
        { '200': answered, '409': refused },
        'post',
      ),
      '/api/projects/{id}/broll/cancel': project(
        'Stop clip generation; the run goes on with what exists (outcome: clips used and stopped)',
        { '200': answered, '409': refused },
        'post',
      ),
      '/api/projects/{id}/files': project(
        "The run's files the API serves (name, bytes), from this host or the run's host (503: that host does not answer)",
        { '200': any, '503': error },
      ),
      '/api/projects/{id}/files/{name}': {
        get: {
          summary: 'One run file by name: reel, captions, publishing copy, moment, placements… (supports Range)',
          parameters: [
            idParam,
            { name: 'name', in: 'path', required: true, schema: { type: 'string', enum: [...ARTIFACT_NAMES] } },
            { name: 'download', in: 'query', schema: { type: 'string' } },
            ticketParam,
          ],
          responses: { '200': file, '206': file, '400': error, '401': error, '404': error, '416': error, '503': error },
        },
      },
      '/api/uploads': {
        post: {
          summary: 'Upload a source video or transcript (raw body, at most SOURCE_MAX_BYTES); answers its server path',
          parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: { '201': any, '400': error, '401': error, '413': error },
        },
      },
      '/api/tickets': {
        post: {
          summary:
            'A one-hour ticket for URLs the browser loads itself (video, downloads, live streams) of a run or of "runs"',
          requestBody: {
            required: true,
            content: json({ type: 'object', properties: { scope: { type: 'string' } }, required: ['scope'] }),
          },
          responses: { '200': any, '400': error, '401': error },
        },
      },
      '/api/live/projects': {
        get: {
          summary: 'The runs list as Server-Sent Events (a message on every change)',
          parameters: [
            { name: 'kind', in: 'query', schema: { type: 'string', enum: ['reel', 'video', 'episode', 'clip'] } },
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['RUNNING', 'FAILED', 'COMPLETED'] } },
            ticketParam,
          ],
          responses: { '200': events, '400': error, '401': error },
        },
      },
      '/api/live/projects/{id}': {
        get: {
          summary: 'A run in detail as Server-Sent Events, until it closes',
          parameters: [idParam, ticketParam],
          responses: { '200': events, '400': error, '401': error, '404': error },
        },
      },
      '/api/projects/{id}/download': project('The finished MP4 (supports Range)', {
        '200': { description: 'the video', content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } } },
        '206': {
          description: 'part of the video',
          content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } },
        },
        '409': error,
        '416': error,
        '503': error,
      }),
    },
  };
}
