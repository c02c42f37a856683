/**
 * Serves the studio page: `/` and its built files under `/studio/`. These routes need no token
 * (a browser cannot send one when it opens a page); the page asks for the token and sends it with
 * every API call it makes. What they serve comes from the build folder by a fixed list of names.
 */
import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { STUDIO_FILES } from '../studio/build';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

export function registerStudio(app: FastifyInstance, buildDir: string): void {
  const serve = async (name: string) => {
    const body = await readFile(path.join(buildDir, name)).catch(() => undefined);
    return body && { body, type: TYPES[path.extname(name)]! };
  };
  app.get('/', { config: { public: true } }, async (_request, reply) => {
    const page = await serve('index.html');
    if (!page)
      return reply.code(503).send({ error: 'the studio page is not built: run `npm run setup` (or `npm run api`)' });
    return reply.header('content-type', page.type).header('cache-control', 'no-cache').send(page.body);
  });
  app.get<{ Params: { file: string } }>('/studio/:file', { config: { public: true } }, async (request, reply) => {
    const name = request.params.file;
    const file = (STUDIO_FILES as readonly string[]).includes(name) ? await serve(name) : undefined;
    if (!file) return reply.code(404).send({ error: `no studio file named ${name}` });
    return reply.header('content-type', file.type).header('cache-control', 'no-cache').send(file.body);
  });
}
