/** A local HTTP server on 127.0.0.1 for URL-source tests: routes by path, counts requests per path. */
import { createReadStream } from 'node:fs';
import { chmod, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface SourceServer {
  url: string;
  /** GET/HEAD requests seen for `pathname` so far. */
  hits(pathname: string): number;
  close(): Promise<void>;
}

export async function startSourceServer(routes: Record<string, Route>): Promise<SourceServer> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    const route = routes[pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    Promise.resolve(route(req, res)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (pathname) => counts.get(pathname) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves a file with its Content-Length (HEAD answers the headers only). */
export function serveFile(file: string, contentType = 'video/mp4'): Route {
  return async (req, res) => {
    const { size } = await stat(file);
    res.writeHead(200, { 'content-type': contentType, 'content-length': size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };
}

/** Sends `bytes` of zeros in 64 KiB chunks with no Content-Length (chunked), so only counting can catch the size. */
export function serveUnsizedBytes(bytes: number): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4' });
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('error', () => {});
    pump();
  };
}

/** Answers the headers and a few bytes, then never sends the rest. */
export function serveStall(): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 1_000_000 });
    res.write(Buffer.alloc(1000));
  };
}

/**
 * A stand-in `yt-dlp` for tests: yt-dlp itself needs the internet. It appends its arguments (then a `---` line) to FAKE_YTDLP_LOG and,
 * like yt-dlp with `-o <base>.%(ext)s`, writes `<base>.mp4`, `<base>.en.vtt` and `<base>.info.json`
 * (copied from FAKE_YTDLP_VIDEO / FAKE_YTDLP_VTT). FAKE_YTDLP_MODE=too-big prints yt-dlp's
 * max-filesize message and leaves only a .part (yt-dlp exits 0 then); =unavailable fails like a removed
 * video; =hang never finishes.
 * This tests our invocation and what we do with its files, not yt-dlp.
 */
export async function writeFakeYtDlp(binDir: string): Promise<string> {
  const script = path.join(binDir, 'yt-dlp');
  await writeFile(
    script,
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo 2099.01.01; exit 0; fi
{ printf '%s\\n' "$@"; echo '---'; } >> "$FAKE_YTDLP_LOG"
out=""; prev=""
for arg in "$@"; do
  if [ "$prev" = "-o" ]; then out="$arg"; fi
  prev="$arg"
done
base="\${out%.%(ext)s}"
case "$FAKE_YTDLP_MODE" in
  too-big) : > "$base.f137.mp4.part"; echo "[download] File is larger than max-filesize (9999999999 bytes > 1000 bytes). Aborting."; exit 0 ;;
  hang) echo "[download]   1.0% of 1.00GiB"; sleep 30; exit 0 ;;
  unavailable) echo "ERROR: [youtube] abc123: Video unavailable. This video has been removed by the uploader" >&2; exit 1 ;;
esac
echo "[download]  50.0% of 1.00MiB at 1.00MiB/s ETA 00:01"
cp "$FAKE_YTDLP_VIDEO" "$base.mp4"
cp "$FAKE_YTDLP_VTT" "$base.en.vtt"
printf '{"id": "abc123", "title": "Rate limits, explained"}' > "$base.info.json"
echo "[download] 100% of 1.00MiB"
`,
  );
  await chmod(script, 0o755);
  return script;
}
