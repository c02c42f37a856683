import { MockActivityEnvironment } from '@temporalio/testing';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { formatSrt } from '../../src/domain/subtitles';
import { ffmpeg, run } from '../../src/media/ffmpeg';
import { testConfig } from '../helpers/config';
import { smallPodcast, tempDir } from '../helpers/media';

let dir: string;
let sample: SamplePodcast;
let activities: ReturnType<typeof createActivities>;
const mock = new MockActivityEnvironment();
/** MockActivityEnvironment.run with the activity's own input and result types. */
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

beforeAll(async () => {
  dir = await tempDir('source');
  sample = await smallPodcast(path.join(dir, 'sample'), 70);
  activities = createActivities({ config: testConfig(dir) });
});

describe('router', () => {
  it('creates the workspace, records the request, and returns absolute paths', async () => {
    const request = { source: sample.video, transcript: sample.srt };
    const routed = await env.run(activities.router, { workflowId: 'reel-router-ok', request });
    expect(routed.workspace).toBe(path.join(dir, 'runs', 'reel-router-ok'));
    expect(JSON.parse(await readFile(path.join(routed.workspace, 'request.json'), 'utf8'))).toEqual(request);
    expect(routed.source).toBe(sample.video);
  });

  it('fails fast, naming the missing source file', async () => {
    const missing = path.join(dir, 'nope.mp4');
    await expect(
      env.run(activities.router, { workflowId: 'reel-x', request: { source: missing } }),
    ).rejects.toMatchObject({
      type: 'MEDIA_NOT_FOUND',
      nonRetryable: true,
      message: expect.stringContaining(missing),
    });
  });

  it('rejects a source that is not video, and a transcript of the wrong kind', async () => {
    const text = path.join(dir, 'notes.mp4');
    await writeFile(text, 'not a video');
    // The file is named once, with ffprobe's own reason (not its exit code).
    const error = await env.run(activities.router, { workflowId: 'reel-x', request: { source: text } }).catch((e) => e);
    expect(error).toMatchObject({
      type: 'MEDIA_INVALID',
      message: `source video is not readable media: ${text} (Invalid data found when processing input)`,
    });
    await expect(
      env.run(activities.router, { workflowId: 'reel-x', request: { source: sample.video, transcript: text } }),
    ).rejects.toMatchObject({ type: 'INVALID_REQUEST', message: expect.stringContaining('transcript') });
  });

  it('refuses a workflow id that would escape the runs directory', async () => {
    await expect(
      env.run(activities.router, { workflowId: '../evil', request: { source: sample.video } }),
    ).rejects.toMatchObject({ type: 'INVALID_REQUEST' });
  });
});

describe('research', () => {
  it('reads metadata and the sidecar .srt', async () => {
    const workspace = path.join(dir, 'runs', 'research-srt');
    await mkdir(workspace, { recursive: true });
    const result = await env.run(activities.research, { workspace, source: sample.video });
    expect(result.info).toMatchObject({
      width: 640,
      height: 360,
      hasAudio: true,
      title: 'reelflow sample podcast',
      createdAt: expect.stringMatching(/^2026-01-15T09:30:00/),
    });
    expect(result.transcriptOrigin).toBe('sidecar');
    expect(result.cueCount).toBe(sample.cues.length);
    const saved = JSON.parse(await readFile(result.transcriptPath, 'utf8'));
    expect(saved.cues).toEqual(sample.cues);
  });

  it('reads a sidecar .vtt when there is no .srt', async () => {
    const vttDir = path.join(dir, 'vtt');
    await mkdir(vttDir, { recursive: true });
    const video = path.join(vttDir, 'talk.mp4');
    await copyFile(sample.video, video);
    const vtt = `WEBVTT\n\n${formatSrt(sample.cues)
      .replace(/(\d),(\d{3})/g, '$1.$2')
      .replace(/^\d+\n/gm, '')}`;
    await writeFile(path.join(vttDir, 'talk.vtt'), vtt);
    const workspace = path.join(dir, 'runs', 'research-vtt');
    const result = await env.run(activities.research, { workspace, source: video });
    expect(result.transcriptOrigin).toBe('sidecar');
    expect(result.cueCount).toBe(sample.cues.length);
  });

  it('extracts an embedded subtitle stream', async () => {
    const embeddedDir = path.join(dir, 'embedded');
    await mkdir(embeddedDir, { recursive: true });
    const video = path.join(embeddedDir, 'with-subs.mkv');
    await run(
      ffmpeg()
        .input(sample.video)
        .input(sample.srt)
        .outputOptions(['-map', '0', '-map', '1', '-c', 'copy', '-c:s', 'srt'])
        .output(video),
    );
    const workspace = path.join(dir, 'runs', 'research-embedded');
    await mkdir(workspace, { recursive: true });
    const result = await env.run(activities.research, { workspace, source: video });
    expect(result.transcriptOrigin).toBe('embedded');
    expect(result.cueCount).toBe(sample.cues.length);
  });

  it('says how to provide a transcript when there is none', async () => {
    const bare = path.join(dir, 'bare');
    await mkdir(bare, { recursive: true });
    const video = path.join(bare, 'bare.mp4');
    await copyFile(sample.video, video);
    await expect(
      env.run(activities.research, { workspace: path.join(dir, 'runs', 'r'), source: video }),
    ).rejects.toMatchObject({
      type: 'TRANSCRIPT_MISSING',
      message: expect.stringContaining('--transcript'),
    });
  });
});

describe('pickMoment', () => {
  it('writes moment.json with a 60–90 s window', async () => {
    const workspace = path.join(dir, 'runs', 'moment-ok');
    const research = await env.run(activities.research, { workspace, source: sample.video });
    const moment = await env.run(activities.pickMoment, {
      workspace,
      transcriptPath: research.transcriptPath,
      sourceDurationS: 70,
    });
    expect(moment.endS - moment.startS).toBeGreaterThanOrEqual(60);
    expect(moment.endS - moment.startS).toBeLessThanOrEqual(90);
    const saved = JSON.parse(await readFile(moment.momentPath, 'utf8'));
    expect(saved.startS).toBe(moment.startS);
    expect(saved.cues.length).toBeGreaterThan(0);
  });

  it('fails with NO_MOMENT when the transcript has no window long enough', async () => {
    const workspace = path.join(dir, 'runs', 'moment-short');
    await mkdir(workspace, { recursive: true });
    const transcriptPath = path.join(workspace, 'transcript.json');
    await writeFile(transcriptPath, JSON.stringify({ cues: sample.cues.slice(0, 5) }));
    await expect(
      env.run(activities.pickMoment, { workspace, transcriptPath, sourceDurationS: 70 }),
    ).rejects.toMatchObject({
      type: 'NO_MOMENT',
      message: expect.stringContaining('60–90 s'),
    });
  });
});
