/** RESEARCH with URL sources (a local http server, a stand-in yt-dlp) and with transcription when there are no subtitles. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { copyFile, mkdir, readdir, readFile, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { formatSrt } from '../../src/domain/subtitles';
import { probe } from '../../src/media/ffmpeg';
import type { Providers } from '../../src/providers';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import type { GenerateContentBody, LocalVeoServer } from '../../src/offlineVeo/server';
import { testConfig } from '../helpers/config';
import { smallPodcast, tempDir } from '../helpers/media';
import { providersFor, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';
import type { SourceServer } from '../helpers/sourceServer';
import { serveFile, serveStall, startSourceServer, writeFakeYtDlp } from '../helpers/sourceServer';

let dir: string;
let sample: SamplePodcast;
let server: SourceServer;
let veo: LocalVeoServer;
const originalPath = process.env.PATH;

/** Runs an activity in a mock activity context, collecting its heartbeats. */
async function runActivity<A, R>(fn: (input: A) => Promise<R>, input: A, heartbeats: unknown[] = []): Promise<R> {
  const env = new MockActivityEnvironment();
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  return env.run(fn, input) as Promise<R>;
}

function activitiesWith(overrides: Record<string, string> = {}, providers?: Providers) {
  const config = testConfig(dir, overrides);
  return createActivities({ config, ...(providers ? { providers } : {}) });
}

function geminiProviders(): Providers {
  const config = testConfig(dir);
  return {
    ...providersFor(veo, config),
    text: new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: veo.url }),
  };
}

const workspace = async (name: string) => {
  const ws = path.join(dir, 'runs', name);
  await mkdir(ws, { recursive: true });
  return ws;
};

beforeAll(async () => {
  dir = await tempDir('research');
  sample = await smallPodcast(path.join(dir, 'sample'), 70);
  veo = await startOfflineVeo(dir);
  server = await startSourceServer({
    '/episode.mp4': serveFile(sample.video),
    '/bare.mp4': serveFile(sample.video),
    '/stall.mp4': serveStall(),
  });
});
afterAll(async () => {
  await server?.close();
  await veo?.stop();
});
afterEach(() => {
  process.env.PATH = originalPath;
});

describe('research with an http(s) source', () => {
  it('downloads into the workspace, reads the metadata of the download, and reuses it on a retry', async () => {
    const ws = await workspace('url-ok');
    const activities = activitiesWith();
    const input = { workspace: ws, source: `${server.url}/episode.mp4`, transcript: sample.srt };
    const heartbeats: unknown[] = [];
    const result = await runActivity(activities.research, input, heartbeats);
    expect(result.sourcePath).toBe(path.join(ws, 'source', 'source.mp4'));
    expect(result.info).toMatchObject({ width: 640, height: 360, hasAudio: true, title: 'reelflow sample podcast' });
    expect(result.info.durationS).toBeCloseTo(70, 0);
    expect(result).toMatchObject({ transcriptOrigin: 'request', cueCount: sample.cues.length });
    expect(heartbeats).toContainEqual(expect.objectContaining({ phase: 'download' }));

    const again = await runActivity(activities.research, input);
    expect(again.sourcePath).toBe(result.sourcePath);
    expect(server.hits('/episode.mp4')).toBe(1);
  });

  it('sets sourcePath to the file itself for a local source', async () => {
    const result = await runActivity(activitiesWith().research, {
      workspace: await workspace('local'),
      source: sample.video,
    });
    expect(result.sourcePath).toBe(sample.video);
  });

  it('fails a source over SOURCE_MAX_BYTES as MEDIA_INVALID (not retried), leaving no file', async () => {
    const ws = await workspace('url-big');
    const research = activitiesWith({ SOURCE_MAX_BYTES: '4096' }).research;
    await expect(runActivity(research, { workspace: ws, source: `${server.url}/episode.mp4` })).rejects.toMatchObject({
      type: 'MEDIA_INVALID',
      nonRetryable: true,
      message: expect.stringContaining('SOURCE_MAX_BYTES=4096'),
    });
    expect(await readdir(path.join(ws, 'source'))).toEqual([]);
  });

  it('fails a 404 as MEDIA_NOT_FOUND, and a stalled download with a timeout that may be retried', async () => {
    const research = activitiesWith({ SOURCE_DOWNLOAD_TIMEOUT_S: '1' }).research;
    await expect(
      runActivity(research, { workspace: await workspace('url-404'), source: `${server.url}/gone.mp4` }),
    ).rejects.toMatchObject({
      type: 'MEDIA_NOT_FOUND',
      nonRetryable: true,
      message: expect.stringContaining('HTTP 404'),
    });
    const stalled = runActivity(research, {
      workspace: await workspace('url-stall'),
      source: `${server.url}/stall.mp4`,
    });
    await expect(stalled).rejects.toThrow(/did not finish within 1 s \(SOURCE_DOWNLOAD_TIMEOUT_S\)/);
    await expect(stalled).rejects.not.toMatchObject({ nonRetryable: true });
  });
});

describe('research with a YouTube source', () => {
  it('fails with TOOL_MISSING naming yt-dlp when it is not installed', async () => {
    process.env.PATH = await tempDir('empty-path');
    const research = activitiesWith().research;
    await expect(
      runActivity(research, { workspace: await workspace('yt-none'), source: 'https://youtu.be/abc123' }),
    ).rejects.toMatchObject({
      type: 'TOOL_MISSING',
      nonRetryable: true,
      message: expect.stringMatching(/yt-dlp.*pip install yt-dlp/),
    });
  });

  it('uses the video and English subtitles a stand-in yt-dlp writes (our wiring, not yt-dlp)', async () => {
    const bin = path.join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFakeYtDlp(bin);
    const vtt = path.join(dir, 'captions.vtt');
    await writeFile(vtt, `WEBVTT\n\n${formatSrt(sample.cues).replace(/(\d),(\d{3})/g, '$1.$2')}`);
    Object.assign(process.env, {
      PATH: `${bin}:${originalPath}`,
      FAKE_YTDLP_LOG: path.join(dir, 'yt-dlp.log'),
      FAKE_YTDLP_VIDEO: sample.video,
      FAKE_YTDLP_VTT: vtt,
    });
    const ws = await workspace('yt-ok');
    const result = await runActivity(activitiesWith().research, {
      workspace: ws,
      source: 'https://www.youtube.com/watch?v=abc123',
    });
    expect(result).toMatchObject({
      sourcePath: path.join(ws, 'source', 'source.mp4'),
      transcriptOrigin: 'sidecar',
      cueCount: sample.cues.length,
    });
    expect(result.info.title).toBe('Rate limits, explained');
  });
});

describe('research transcribes when there are no subtitles', () => {
  it('with Gemini: extracts small audio, sends it inline, and keeps the cues as transcriptOrigin "transcribed"', async () => {
    const seen: GenerateContentBody[] = [];
    veo.setContentResponder((_model, body) => {
      seen.push(body);
      const cues = Array.from({ length: 14 }, (_, i) => ({
        start_s: i * 5,
        end_s: i * 5 + 4.5,
        text: `Sentence number ${i + 1}.`,
      }));
      return {
        candidates: [{ content: { role: 'model', parts: [{ text: JSON.stringify({ cues }) }] }, finishReason: 'STOP' }],
      };
    });
    const ws = await workspace('transcribed');
    // Served over http: the download has no sidecar and no subtitle stream.
    const result = await runActivity(activitiesWith({}, geminiProviders()).research, {
      workspace: ws,
      source: `${server.url}/bare.mp4`,
    });
    expect(result).toMatchObject({ transcriptOrigin: 'transcribed', cueCount: 14 });
    const saved = JSON.parse(await readFile(result.transcriptPath, 'utf8')) as { origin: string; cues: unknown[] };
    expect(saved.origin).toBe('transcribed');
    expect(saved.cues[13]).toEqual({ startS: 65, endS: 69.5, text: 'Sentence number 14.' });

    // What went to the model: the source's 70 s of audio as small mono mp3.
    expect(seen).toHaveLength(1);
    const audio = path.join(ws, 'transcription', 'audio.mp3');
    const extracted = await probe(audio);
    expect(extracted.audio).toMatchObject({ codec: 'mp3', sampleRate: 16000, channels: 1 });
    expect(extracted.durationS).toBeCloseTo(70, 0);
    const parts = (seen[0]!.contents ?? []).flatMap((c) => c.parts ?? []) as { inlineData?: { mimeType: string } }[];
    expect(parts.find((p) => p.inlineData)?.inlineData?.mimeType).toBe('audio/mp3');
  });

  it('with Gemini: a malformed answer is MODEL_OUTPUT_INVALID, which may be retried', async () => {
    veo.setContentResponder(() => ({
      candidates: [{ content: { role: 'model', parts: [{ text: '{"cues": "none"}' }] }, finishReason: 'STOP' }],
    }));
    const bare = path.join(dir, 'bare-gemini');
    await mkdir(bare, { recursive: true });
    const video = path.join(bare, 'talk.mp4');
    await copyFile(sample.video, video);
    await expect(
      runActivity(activitiesWith({}, geminiProviders()).research, {
        workspace: await workspace('malformed'),
        source: video,
      }),
    ).rejects.toMatchObject({ type: 'MODEL_OUTPUT_INVALID', nonRetryable: false });
  });

  it('with the offline provider: TRANSCRIPT_MISSING that says how to provide a transcript', async () => {
    const config = testConfig(dir);
    const bare = path.join(dir, 'bare-offline');
    await mkdir(bare, { recursive: true });
    const video = path.join(bare, 'talk.mp4');
    await copyFile(sample.video, video);
    const research = createActivities({ config, providers: providersFor(veo, config) }).research;
    const attempt = runActivity(research, { workspace: await workspace('offline'), source: video });
    await expect(attempt).rejects.toMatchObject({ type: 'TRANSCRIPT_MISSING', nonRetryable: true });
    await expect(attempt).rejects.toThrow(/cannot transcribe audio.*GEMINI_API_KEY/);
    await expect(attempt).rejects.toThrow(/--transcript.*talk\.srt or \.vtt next to the video/);
    // Nothing was extracted for a model that cannot transcribe.
    await expect(stat(path.join(dir, 'runs', 'offline', 'transcription'))).rejects.toThrow();
  });
});

describe('research with a transcript that is not subtitles', () => {
  it('fails at once (not retried) naming the file and the line, for a given transcript and for a sidecar', async () => {
    const { research } = activitiesWith();
    const given = path.join(dir, 'garbage.srt');
    await writeFile(given, '1\n00:00:01,000 --> 00:00:03,000\nhello\n\n2\nsoon --> later\nworld\n');
    const err = await runActivity(research, {
      workspace: await workspace('garbage-given'),
      source: sample.video,
      transcript: given,
    }).catch((e: unknown) => e as { type?: string; nonRetryable?: boolean; message: string });
    expect(err).toMatchObject({ type: 'TRANSCRIPT_INVALID', nonRetryable: true });
    expect((err as Error).message).toBe(`${given}: line 6: not a subtitle timestamp: "soon" (expected SRT or WebVTT)`);

    // A broken sidecar is an error too, not silently skipped.
    const source = path.join(dir, 'sidecar-garbage.mp4');
    await copyFile(sample.video, source);
    await writeFile(path.join(dir, 'sidecar-garbage.srt'), 'these are my show notes\nnot subtitles\n');
    const sidecarErr = (await runActivity(research, {
      workspace: await workspace('garbage-sidecar'),
      source,
    }).catch((e: unknown) => e)) as Error;
    expect(sidecarErr).toMatchObject({ type: 'TRANSCRIPT_INVALID' });
    expect((sidecarErr as Error).message).toMatch(/sidecar-garbage\.srt: line 1: no "start --> end" timing line/);
  });
});
