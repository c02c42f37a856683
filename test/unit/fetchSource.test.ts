/** URL sources: plain http(s) downloads against a local server, and the yt-dlp wiring with a stand-in yt-dlp. */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkRemoteSource, downloadSource, isYouTubeUrl, SourceError } from '../../src/media/fetchSource';
import { probe } from '../../src/media/ffmpeg';
import { singleShotVideo, tempDir } from '../helpers/media';
import type { SourceServer } from '../helpers/sourceServer';
import { serveFile, serveStall, serveUnsizedBytes, startSourceServer, writeFakeYtDlp } from '../helpers/sourceServer';

let dir: string;
let video: string;
let videoBytes: number;
let server: SourceServer;
const originalPath = process.env.PATH;
const options = { maxBytes: 50 * 1024 * 1024, timeoutMs: 10_000 };

beforeAll(async () => {
  dir = await tempDir('fetch');
  video = await singleShotVideo(path.join(dir, 'clip.mp4'), 2);
  videoBytes = (await stat(video)).size;
  server = await startSourceServer({
    '/episode.mp4': serveFile(video),
    '/ep%zz1.mp4': serveFile(video),
    '/again.mp4': serveFile(video),
    '/big.mp4': serveFile(video),
    '/unsized': serveUnsizedBytes(2 * 1024 * 1024),
    '/stall.mp4': serveStall(),
    '/busy.mp4': (_req, res) => void res.writeHead(503, { 'content-type': 'text/plain' }).end('try later'),
    '/truncated.mp4': (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 100_000 });
      res.write(Buffer.alloc(1000), () => res.destroy());
    },
  });
});
afterAll(() => server?.close());
afterEach(() => {
  process.env.PATH = originalPath;
});

/** Files left in a download folder (none after a failure: no half file, no .part). */
async function filesIn(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => []);
}

describe('isYouTubeUrl', () => {
  it.each([
    ['https://www.youtube.com/watch?v=abc123', true],
    ['https://youtube.com/watch?v=abc123', true],
    ['https://m.youtube.com/watch?v=abc123', true],
    ['https://youtu.be/abc123', true],
    ['https://notyoutube.com/watch?v=abc123', false],
    ['https://example.com/youtube.com/video.mp4', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isYouTubeUrl(url)).toBe(expected);
  });
});

describe('checkRemoteSource', () => {
  it('accepts an http URL that is there, and rejects what is not http(s)', async () => {
    await expect(checkRemoteSource(`${server.url}/again.mp4`)).resolves.toBeUndefined();
    await expect(checkRemoteSource('ftp://example.com/a.mp4')).rejects.toMatchObject({
      type: 'INVALID_REQUEST',
      message: expect.stringContaining('only http(s)'),
    });
    await expect(checkRemoteSource('http://')).rejects.toMatchObject({ type: 'INVALID_REQUEST' });
  });

  it('fails fast on a 404 and on a Content-Length over the cap', async () => {
    await expect(checkRemoteSource(`${server.url}/missing.mp4`)).rejects.toMatchObject({
      type: 'MEDIA_NOT_FOUND',
      message: expect.stringContaining('HTTP 404'),
    });
    await expect(checkRemoteSource(`${server.url}/big.mp4`, { maxBytes: 100 })).rejects.toMatchObject({
      type: 'MEDIA_INVALID',
      message: expect.stringContaining('SOURCE_MAX_BYTES'),
    });
  });

  it('names yt-dlp and how to install it when a YouTube source cannot be fetched', async () => {
    process.env.PATH = await tempDir('empty-path');
    const check = checkRemoteSource('https://www.youtube.com/watch?v=abc123');
    await expect(check).rejects.toBeInstanceOf(SourceError);
    await expect(check).rejects.toMatchObject({
      type: 'TOOL_MISSING',
      message: expect.stringMatching(/yt-dlp.*pip install yt-dlp.*apt-get install yt-dlp/),
    });
  });
});

describe('downloadSource over http', () => {
  it('downloads a URL whose path has a malformed %-escape', async () => {
    const got = await downloadSource(`${server.url}/ep%zz1.mp4`, path.join(dir, 'escape'), options);
    expect(got).toMatchObject({ path: path.join(dir, 'escape', 'source.mp4'), bytes: videoBytes });
  });

  it('downloads to a fixed name, reports progress, and reuses the finished file on a second call', async () => {
    const dest = path.join(dir, 'ok');
    const progress: number[] = [];
    const first = await downloadSource(`${server.url}/episode.mp4`, dest, {
      ...options,
      onProgress: (p) => progress.push(p.bytes ?? 0),
    });
    expect(first).toMatchObject({ path: path.join(dest, 'source.mp4'), bytes: videoBytes, reused: false });
    expect((await probe(first.path)).video).toMatchObject({ width: 640, height: 360 });
    expect(progress.at(-1)).toBe(videoBytes);
    const second = await downloadSource(`${server.url}/episode.mp4`, dest, options);
    expect(second).toMatchObject({ path: first.path, bytes: videoBytes, reused: true });
    expect(server.hits('/episode.mp4')).toBe(1);
    expect(await filesIn(dest)).toEqual(['source.mp4']);
  });

  it('refuses a Content-Length over the cap before reading the body, naming the cap and SOURCE_MAX_BYTES', async () => {
    const dest = path.join(dir, 'big');
    const download = downloadSource(`${server.url}/big.mp4`, dest, { ...options, maxBytes: 1000 });
    await expect(download).rejects.toMatchObject({
      type: 'MEDIA_INVALID',
      message: expect.stringMatching(/over the download cap of 1000 bytes \(SOURCE_MAX_BYTES=1000\)/),
    });
    expect(await filesIn(dest)).toEqual([]);
  });

  it('stops a download with no Content-Length once the bytes pass the cap, and leaves no file', async () => {
    const dest = path.join(dir, 'unsized');
    const download = downloadSource(`${server.url}/unsized`, dest, { ...options, maxBytes: 256 * 1024 });
    await expect(download).rejects.toMatchObject({
      type: 'MEDIA_INVALID',
      message: expect.stringMatching(/more than the download cap of 256\.0 KiB \(SOURCE_MAX_BYTES=262144\)/),
    });
    expect(await filesIn(dest)).toEqual([]);
  });

  it('says which status a failed request got: 404 is lasting, 503 may pass', async () => {
    await expect(downloadSource(`${server.url}/missing.mp4`, path.join(dir, 'e404'), options)).rejects.toMatchObject({
      type: 'MEDIA_NOT_FOUND',
      message: expect.stringContaining('failed with HTTP 404 Not Found'),
    });
    const busy = downloadSource(`${server.url}/busy.mp4`, path.join(dir, 'e503'), options);
    await expect(busy).rejects.toMatchObject({ type: undefined, message: expect.stringContaining('HTTP 503') });
  });

  it('times out a server that stalls, naming SOURCE_DOWNLOAD_TIMEOUT_S, and leaves no .part', async () => {
    const dest = path.join(dir, 'stall');
    const download = downloadSource(`${server.url}/stall.mp4`, dest, { ...options, timeoutMs: 300 });
    await expect(download).rejects.toMatchObject({
      type: undefined,
      message: expect.stringContaining('did not finish within 300 ms (SOURCE_DOWNLOAD_TIMEOUT_S)'),
    });
    expect(await filesIn(dest)).toEqual([]);
  });

  it('does not keep a body cut short of its Content-Length', async () => {
    const dest = path.join(dir, 'truncated');
    await expect(downloadSource(`${server.url}/truncated.mp4`, dest, options)).rejects.toBeInstanceOf(SourceError);
    expect(await filesIn(dest)).toEqual([]);
  });

  it('stops when the activity is cancelled', async () => {
    const controller = new AbortController();
    const download = downloadSource(`${server.url}/stall.mp4`, path.join(dir, 'cancel'), {
      ...options,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('activity cancelled')), 100);
    await expect(download).rejects.toThrow('activity cancelled');
    expect(await filesIn(path.join(dir, 'cancel'))).toEqual([]);
  });
});

describe('downloadSource for YouTube (a stand-in yt-dlp script: tests our invocation, not yt-dlp)', () => {
  let bin: string;
  let log: string;

  beforeAll(async () => {
    bin = path.join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFakeYtDlp(bin);
    log = path.join(dir, 'yt-dlp.log');
    const vtt = path.join(dir, 'talk.vtt');
    await writeFile(vtt, 'WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello there.\n');
    Object.assign(process.env, { FAKE_YTDLP_LOG: log, FAKE_YTDLP_VIDEO: video, FAKE_YTDLP_VTT: vtt });
  });
  afterEach(() => {
    delete process.env.FAKE_YTDLP_MODE;
  });

  const calls = async () =>
    (await readFile(log, 'utf8').catch(() => ''))
      .split('---\n')
      .filter(Boolean)
      .map((call) => call.trim().split('\n'));

  it('fails with TOOL_MISSING naming yt-dlp when it is not on PATH', async () => {
    process.env.PATH = await tempDir('empty-path');
    const dest = path.join(dir, 'yt-none');
    await expect(downloadSource('https://youtu.be/abc123', dest, options)).rejects.toMatchObject({
      type: 'TOOL_MISSING',
      message: expect.stringContaining('pip install yt-dlp'),
    });
    expect(await filesIn(dest)).toEqual([]);
  });

  it('runs yt-dlp with the size cap, one video, mp4 with audio and English subtitles; keeps source.mp4 + source.vtt', async () => {
    process.env.PATH = `${bin}:${originalPath}`;
    const dest = path.join(dir, 'yt');
    const url = 'https://www.youtube.com/watch?v=abc123&list=PL1';
    const result = await downloadSource(url, dest, { ...options, maxBytes: 123_456_789 });
    expect(result).toMatchObject({
      path: path.join(dest, 'source.mp4'),
      title: 'Rate limits, explained',
      reused: false,
    });
    const [args] = await calls();
    expect(args).toEqual(expect.arrayContaining(['--no-playlist', '--write-subs', '--write-auto-subs']));
    const after = (flag: string) => args?.[args.indexOf(flag) + 1];
    expect(after('--max-filesize')).toBe('123456789');
    expect(after('-f')).toBe('bv*[height<=1080]+ba/b');
    expect(after('--merge-output-format')).toBe('mp4');
    expect(after('--sub-langs')).toBe('en.*');
    expect(after('--sub-format')).toBe('vtt');
    expect(after('-o')).toBe(path.join(dest, 'source.%(ext)s'));
    expect(args?.at(-1)).toBe(url);
    // The subtitle track is renamed to the sidecar name RESEARCH looks for.
    expect((await filesIn(dest)).sort()).toEqual(['source.info.json', 'source.mp4', 'source.vtt']);

    const again = await downloadSource(url, dest, options);
    expect(again).toMatchObject({ path: result.path, title: 'Rate limits, explained', reused: true });
    expect(await calls()).toHaveLength(1);
  });

  it("reports yt-dlp's max-filesize refusal (which exits 0) as over the cap", async () => {
    process.env.PATH = `${bin}:${originalPath}`;
    process.env.FAKE_YTDLP_MODE = 'too-big';
    const dest = path.join(dir, 'yt-big');
    await expect(downloadSource('https://youtu.be/big', dest, options)).rejects.toMatchObject({
      type: 'MEDIA_INVALID',
      message: expect.stringContaining('SOURCE_MAX_BYTES'),
    });
    expect(await filesIn(dest)).toEqual([]);
  });

  it('stops a yt-dlp that runs past the timeout (with its children)', async () => {
    process.env.PATH = `${bin}:${originalPath}`;
    process.env.FAKE_YTDLP_MODE = 'hang';
    const download = downloadSource('https://youtu.be/slow', path.join(dir, 'yt-slow'), { ...options, timeoutMs: 500 });
    await expect(download).rejects.toMatchObject({
      type: undefined,
      message: expect.stringContaining('did not finish within 500 ms (SOURCE_DOWNLOAD_TIMEOUT_S)'),
    });
  });

  it('reports a removed video as MEDIA_NOT_FOUND with yt-dlp’s own words', async () => {
    process.env.PATH = `${bin}:${originalPath}`;
    process.env.FAKE_YTDLP_MODE = 'unavailable';
    await expect(downloadSource('https://youtu.be/gone', path.join(dir, 'yt-gone'), options)).rejects.toMatchObject({
      type: 'MEDIA_NOT_FOUND',
      message: expect.stringContaining('Video unavailable'),
    });
  });
});
