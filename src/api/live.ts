/**
 * Server-Sent Events fed by polling Temporal on the server (at most once a second), so a page gets
 * changes as they happen without a polling loop of its own. Each change is one `data:` message of
 * JSON; identical reads are not sent again; a comment every 15 s keeps proxies from closing the line.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const LIVE_INTERVAL_MS = 1000;
const KEEPALIVE_MS = 15_000;

export interface LiveRead<T> {
  read: () => Promise<T>;
  /** A read after which nothing will change (a closed run): it is sent, then the stream ends. */
  isFinal?: (value: T) => boolean;
  intervalMs?: number;
}

export function streamLive<T>(request: FastifyRequest, reply: FastifyReply, live: LiveRead<T>): void {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  let open = true;
  let timer: NodeJS.Timeout | undefined;
  request.raw.on('close', () => {
    open = false;
    clearTimeout(timer);
  });
  let last = '';
  let lastWrite = Date.now();
  const send = (event: string, data: string) => {
    out.write(`event: ${event}\ndata: ${data}\n\n`);
    lastWrite = Date.now();
  };
  const tick = async () => {
    if (!open) return;
    try {
      const value = await live.read();
      const text = JSON.stringify(value);
      if (text !== last) send('change', text);
      last = text;
      if (live.isFinal?.(value)) {
        send('end', '{}');
        out.end();
        open = false;
        return;
      }
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      const message = err instanceof Error ? err.message : String(err);
      send('problem', JSON.stringify({ error: message }));
      if (status === 404 || (err instanceof Error && err.name === 'NotFoundError')) {
        out.end();
        open = false;
        return;
      }
    }
    if (Date.now() - lastWrite > KEEPALIVE_MS) {
      out.write(': still here\n\n');
      lastWrite = Date.now();
    }
    if (open) timer = setTimeout(() => void tick(), live.intervalMs ?? LIVE_INTERVAL_MS);
  };
  void tick();
}
