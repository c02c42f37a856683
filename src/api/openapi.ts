/** The API's OpenAPI 3.1 document, with request bodies from the same zod schemas the handlers use. */
import { z } from 'zod';
import { MAX_RUN_ID_LENGTH, RUN_ID_PATTERN } from '../domain/ids';
import { ReelRequestSchema } from '../domain/reel';
import { VideoRequestSchema } from '../domain/video';
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
      '/api/projects': {
        get: {
          summary: 'List runs',
          parameters: [
            { name: 'kind', in: 'query', schema: { type: 'string', enum: ['reel', 'video'] } },
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
      '/api/projects/{id}/download': project('The finished MP4 (supports Range)', {
        '200': { description: 'the video', content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } } },
        '206': {
          description: 'part of the video',
          content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } },
        },
        '409': error,
        '416': error,
      }),
    },
  };
}
