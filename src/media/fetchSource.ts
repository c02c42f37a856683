/**
 * Remote sources: a plain http(s) media URL (Node's fetch) or a YouTube link (yt-dlp). Downloads
 * land in a folder of the run's workspace under a fixed name, written as `.part` and renamed when
 * complete, so a retried activity finds a finished file (and reuses it) or none at all.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import { hasCommand } from '../dev/systemTools';

/**
 * A source that cannot be fetched. `type` says how the pipeline should treat it; without a type
 * the cause may pass (a timeout, a 5xx, a dropped connection) and the activity may be retried.
 */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly type: ErrorType | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface DownloadOptions {
  /** Largest file accepted (SOURCE_MAX_BYTES). */
  maxBytes: number;
  /** The whole download must finish within this (SOURCE_DOWNLOAD_TIMEOUT_S). */
  timeoutMs: number;
  /** Called at most twice a second while bytes arrive (activities heartbeat from it). */
  onProgress?: (progress: DownloadProgress) => void;
  /** Activity cancellation: aborting stops the download and removes the partial file. */
  signal?: AbortSignal;
}
export interface DownloadProgress {
  bytes?: number;
  totalBytes?: number;
  /** 0–1, when the size is known. */
  fraction?: number;
}
export interface DownloadedSource {
  path: string;
  bytes: number;
  title?: string;
  /** True when a finished file from an earlier attempt was used instead of downloading. */
  reused: boolean;
}

const YT_DLP_INSTALL = 'install it with `pip install yt-dlp` or `apt-get install yt-dlp`';
const HTTP_BASENAME = 'source';
const YOUTUBE_FILE = 'source.mp4';

export function isRemoteSource(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

export function isYouTubeUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'youtu.be' || host === 'youtube.com' || host.endsWith('.youtube.com');
}

function parseSourceUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceError(ErrorType.INVALID_REQUEST, `source: not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SourceError(ErrorType.INVALID_REQUEST, `source: only http(s) URLs can be downloaded (${url})`);
  }
  if (!parsed.hostname) throw new SourceError(ErrorType.INVALID_REQUEST, `source: the URL has no host (${url})`);
  return parsed;
}

async function requireYtDlp(): Promise<void> {
  if (!(await hasCommand('yt-dlp', ['--version']))) {
    throw new SourceError(
      ErrorType.TOOL_MISSING,
      `source: YouTube links need yt-dlp, which is not installed (not found on PATH): ${YT_DLP_INSTALL}`,
    );
  }
}

/**
 * ROUTER's quick look at a URL source, before any download: http(s) only; yt-dlp present for
 * YouTube; for other URLs one HEAD request (5 s at most) that fails only on a definite answer:
 * 404/410 (MEDIA_NOT_FOUND), or a Content-Length over `maxBytes` when given (MEDIA_INVALID).
 * Servers that refuse HEAD or cannot be reached now are left to the download to judge.
 */
export async function checkRemoteSource(url: string, options: { maxBytes?: number } = {}): Promise<void> {
  parseSourceUrl(url);
  if (isYouTubeUrl(url)) return requireYtDlp();
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(5000) });
  } catch {
    return;
  }
  if (response.status === 404 || response.status === 410) {
    throw new SourceError(ErrorType.MEDIA_NOT_FOUND, `source: ${url} answered HTTP ${response.status} (not found)`);
  }
  const length = contentLength(response);
  if (response.ok && options.maxBytes !== undefined && length !== undefined && length > options.maxBytes) {
    throw tooLarge(url, length, options.maxBytes);
  }
}

/** Downloads `url` into `destDir` (created if needed); a finished file from an earlier attempt is reused. */
export async function downloadSource(
  url: string,
  destDir: string,
  options: DownloadOptions,
): Promise<DownloadedSource> {
  const parsed = parseSourceUrl(url);
  await mkdir(destDir, { recursive: true });
  return isYouTubeUrl(url) ? downloadWithYtDlp(url, destDir, options) : downloadHttp(parsed, destDir, options);
}

function tooLarge(url: string, bytes: number | undefined, maxBytes: number): SourceError {
  const size = bytes === undefined ? 'more than' : `${formatBytes(bytes)}, over`;
  return new SourceError(
    ErrorType.MEDIA_INVALID,
    `source: ${url} is ${size} the download cap of ${formatBytes(maxBytes)} (SOURCE_MAX_BYTES=${maxBytes}); ` +
      'raise SOURCE_MAX_BYTES to allow it',
  );
}

function timedOut(url: string, timeoutMs: number): SourceError {
  return new SourceError(
    undefined,
    `source: the download of ${url} did not finish within ${formatSeconds(timeoutMs)} (SOURCE_DOWNLOAD_TIMEOUT_S)`,
  );
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

function contentLength(response: Response): number | undefined {
  const header = response.headers.get('content-length');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

async function fileSize(file: string): Promise<number | undefined> {
  return stat(file).then(
    (s) => (s.isFile() && s.size > 0 ? s.size : undefined),
    () => undefined,
  );
}

/** Progress callbacks at most every 500 ms, so a fast stream does not flood heartbeats. */
function throttled(onProgress: DownloadOptions['onProgress']): (progress: DownloadProgress, force?: boolean) => void {
  let last = 0;
  return (progress, force = false) => {
    const now = Date.now();
    if (!onProgress || (!force && now - last < 500)) return;
    last = now;
    onProgress(progress);
  };
}

/** The URL path's extension when it looks like one (ffprobe reads content, not names); `.mp4` otherwise. */
function extensionOf(url: URL): string {
  let pathname = url.pathname;
  try {
    pathname = decodeURIComponent(pathname);
  } catch {
    // A malformed %-escape: the raw path still has the extension, if any.
  }
  const ext = path.extname(pathname).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '.mp4';
}

async function downloadHttp(url: URL, destDir: string, options: DownloadOptions): Promise<DownloadedSource> {
  const href = url.href;
  const file = path.join(destDir, `${HTTP_BASENAME}${extensionOf(url)}`);
  const existing = await fileSize(file);
  if (existing !== undefined) return { path: file, bytes: existing, reused: true };

  const timeout = AbortSignal.timeout(options.timeoutMs);
  const overCap = new AbortController();
  const signal = AbortSignal.any([timeout, overCap.signal, ...(options.signal ? [options.signal] : [])]);
  // Whatever went wrong, the abort reason that fired says what to tell the user.
  const explain = (err: unknown): unknown => {
    if (err instanceof SourceError) return err;
    if (timeout.aborted) return timedOut(href, options.timeoutMs);
    if (options.signal?.aborted) return options.signal.reason ?? err;
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return new SourceError(undefined, `source: could not download ${href}: ${cause ?? (err as Error).message}`);
  };

  let response: Response;
  try {
    response = await fetch(href, { redirect: 'follow', signal });
  } catch (err) {
    throw explain(err);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    // Client errors will not change on retry; 408, 429 and 5xx may.
    const lasting = response.status >= 400 && response.status < 500 && ![408, 429].includes(response.status);
    throw new SourceError(
      lasting ? ErrorType.MEDIA_NOT_FOUND : undefined,
      `source: downloading ${href} failed with HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  }
  const total = contentLength(response);
  if (total !== undefined && total > options.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(href, total, options.maxBytes);
  }
  if (!response.body) throw new SourceError(undefined, `source: ${href} answered with no body`);

  // Each attempt writes its own part file: an earlier attempt that stalled (and was retried) may
  // still be running, and must neither interleave with this one nor delete its file.
  const part = `${file}.${randomBytes(4).toString('hex')}.part`;
  const report = throttled(options.onProgress);
  const progress = (bytes: number): DownloadProgress => ({
    bytes,
    ...(total ? { totalBytes: total, fraction: Math.min(1, bytes / total) } : {}),
  });
  let bytes = 0;
  const handle = await open(part, 'w');
  try {
    try {
      for await (const chunk of response.body) {
        bytes += chunk.byteLength;
        // The header may be absent or wrong: the cap holds on the bytes that actually arrive.
        if (bytes > options.maxBytes) {
          overCap.abort();
          throw tooLarge(href, total !== undefined && total > bytes ? total : undefined, options.maxBytes);
        }
        await handle.write(chunk);
        report(progress(bytes));
      }
    } catch (err) {
      throw explain(err);
    } finally {
      await handle.close();
    }
    if (total !== undefined && bytes !== total) {
      throw new SourceError(undefined, `source: ${href} ended after ${bytes} of ${total} bytes`);
    }
    if (bytes === 0) throw new SourceError(ErrorType.MEDIA_INVALID, `source: ${href} is empty`);
    await rename(part, file);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  report(progress(bytes), true);
  return { path: file, bytes, reused: false };
}

/** yt-dlp's messages that mean the video itself cannot be had (retrying will not help). */
const YT_DLP_LASTING =
  /Video unavailable|Private video|This video is not available|has been removed|Unsupported URL|Sign in to confirm your age|members-only/i;

async function downloadWithYtDlp(url: string, destDir: string, options: DownloadOptions): Promise<DownloadedSource> {
  const file = path.join(destDir, YOUTUBE_FILE);
  const base = file.slice(0, -path.extname(file).length);
  const existing = await fileSize(file);
  if (existing !== undefined) {
    await adoptSubtitles(destDir, path.basename(base));
    return { path: file, bytes: existing, ...(await readTitle(base)), reused: true };
  }
  await requireYtDlp();
  const args = [
    '--no-playlist',
    '--newline',
    '-f',
    'bv*[height<=1080]+ba/b',
    '--merge-output-format',
    'mp4',
    // A single-file fallback format may be webm: remux so the file is always the mp4 we name.
    '--remux-video',
    'mp4',
    '--max-filesize',
    String(options.maxBytes),
    '--write-subs',
    '--write-auto-subs',
    '--sub-langs',
    'en.*',
    '--sub-format',
    'vtt',
    '--write-info-json',
    '--no-write-playlist-metafiles',
    '-o',
    `${base}.%(ext)s`,
    '--',
    url,
  ];
  const result = await runYtDlp(args, options);
  if (result.timedOut) throw timedOut(url, options.timeoutMs);
  if (result.cancelled) throw options.signal?.reason ?? new Error('download cancelled');
  if (result.overCap) {
    // yt-dlp leaves the refused stream's .part behind; after a timeout the .part stays for it to resume.
    await removePartials(destDir, path.basename(base));
    throw tooLarge(url, undefined, options.maxBytes);
  }
  if (result.code !== 0) {
    const detail = result.errorTail || `exit code ${result.code}`;
    throw new SourceError(
      YT_DLP_LASTING.test(detail) ? ErrorType.MEDIA_NOT_FOUND : undefined,
      `source: yt-dlp could not download ${url}: ${detail}`,
    );
  }
  const bytes = await fileSize(file);
  if (bytes === undefined) {
    throw new SourceError(
      undefined,
      `source: yt-dlp finished without writing ${file}${result.errorTail ? `: ${result.errorTail}` : ''}`,
    );
  }
  // --max-filesize applies to each stream yt-dlp fetches; the merged file must also fit.
  if (bytes > options.maxBytes) {
    await rm(file, { force: true });
    throw tooLarge(url, bytes, options.maxBytes);
  }
  await adoptSubtitles(destDir, path.basename(base));
  return { path: file, bytes, ...(await readTitle(base)), reused: false };
}

interface YtDlpOutcome {
  code: number | null;
  timedOut: boolean;
  cancelled: boolean;
  overCap: boolean;
  /** The last few error lines, for the user. */
  errorTail: string;
}

function runYtDlp(args: string[], options: DownloadOptions): Promise<YtDlpOutcome> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout also stops the ffmpeg that yt-dlp runs for merging.
    const child = spawn('yt-dlp', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const outcome: YtDlpOutcome = { code: null, timedOut: false, cancelled: false, overCap: false, errorTail: '' };
    const errors: string[] = [];
    const report = throttled(options.onProgress);
    let last: DownloadProgress = {};
    // Merging and remuxing print nothing for minutes on a long video: report that yt-dlp is still at work.
    const alive = setInterval(() => options.onProgress?.(last), 15_000);
    const stop = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      outcome.timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => {
      outcome.cancelled = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A detached child outlives a worker that exits: take it (and its ffmpeg) down too.
    process.once('exit', stop);
    const done = () => {
      clearTimeout(timer);
      clearInterval(alive);
      options.signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', stop);
    };
    const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => {
        const parts = (pending + text).split(/\r?\n|\r/);
        pending = parts.pop() ?? '';
        parts.forEach(onLine);
      });
      stream.on('end', () => pending && onLine(pending));
    };
    lines(child.stdout, (line) => {
      if (/larger than max-filesize/i.test(line)) outcome.overCap = true;
      const percent = /^\[download\]\s+([\d.]+)%/.exec(line);
      if (percent) {
        last = { fraction: Math.min(1, Number(percent[1]) / 100) };
        report(last);
      }
    });
    lines(child.stderr, (line) => {
      if (/larger than max-filesize/i.test(line)) outcome.overCap = true;
      if (line.trim()) errors.push(line.trim());
      if (errors.length > 5) errors.shift();
    });
    child.on('error', (err) => {
      done();
      reject(new SourceError(undefined, `source: could not run yt-dlp: ${err.message}`));
    });
    child.on('close', (code) => {
      done();
      outcome.code = code;
      outcome.errorTail = errors.filter((line) => /^ERROR/.test(line)).join('; ') || errors.at(-1) || '';
      resolve(outcome);
    });
  });
}

async function removePartials(destDir: string, base: string): Promise<void> {
  for (const name of await readdir(destDir)) {
    if (name.startsWith(`${base}.`) && name.endsWith('.part')) await rm(path.join(destDir, name), { force: true });
  }
}

/**
 * yt-dlp names subtitles `<base>.<lang>.vtt` (en, en-US, en-orig …). RESEARCH looks for `<base>.vtt`
 * next to the video, so the best English track is renamed to that: plain `en` first.
 */
async function adoptSubtitles(destDir: string, base: string): Promise<void> {
  const target = path.join(destDir, `${base}.vtt`);
  if ((await fileSize(target)) !== undefined) return;
  const prefix = `${base}.`;
  const tracks = (await readdir(destDir))
    .filter((name) => name.startsWith(prefix) && name.endsWith('.vtt') && name !== `${base}.vtt`)
    .map((name) => ({ name, lang: name.slice(prefix.length, -'.vtt'.length) }))
    .sort((a, b) => rank(a.lang) - rank(b.lang) || a.lang.localeCompare(b.lang));
  const best = tracks[0];
  if (best) await rename(path.join(destDir, best.name), target);
}

/** `en` is the video's own (or ASR) English track; `en-orig` and regional ones come next. */
function rank(lang: string): number {
  if (lang === 'en') return 0;
  if (lang.startsWith('en-')) return 1;
  return 2;
}

async function readTitle(base: string): Promise<{ title?: string }> {
  try {
    const info = JSON.parse(await readFile(`${base}.info.json`, 'utf8')) as { title?: unknown };
    return typeof info.title === 'string' && info.title.trim() ? { title: info.title.trim() } : {};
  } catch {
    return {};
  }
}
