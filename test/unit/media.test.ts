/** The media module on real files with the system ffmpeg. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { parseSubtitles } from '../../src/domain/subtitles';
import { concatCopy } from '../../src/media/concat';
import { frameSeries, frameStream, grayFrame, probe } from '../../src/media/ffmpeg';
import { seamScore } from '../../src/media/layoutMetrics';
import { muxAudio, renderMomentAudio, renderSegmentVideo } from '../../src/media/reframe';
import { readFile } from 'node:fs/promises';
import { singleShotVideo, smallPodcast, tempDir } from '../helpers/media';

const encoding = { preset: 'ultrafast', crf: 30, threads: 0 };
let dir: string;
let sample: SamplePodcast;

beforeAll(async () => {
  dir = await tempDir('media');
  sample = await smallPodcast(dir, 70);
});

describe('sample podcast', () => {
  it('is a 640x360 video with audio whose .srt matches the cues it spoke', async () => {
    const info = await probe(sample.video);
    expect(info.video).toMatchObject({ width: 640, height: 360 });
    expect(info.audio).toBeDefined();
    expect(info.durationS).toBeCloseTo(70, 0);
    const cues = parseSubtitles(await readFile(sample.srt, 'utf8'));
    expect(cues).toEqual(sample.cues);
    expect(cues.at(-1)!.endS).toBeLessThanOrEqual(70);
  });
});

describe('layout metrics on real frames', () => {
  it('sees the seam of the side-by-side sample and none in a single shot', async () => {
    const split = await grayFrame(sample.video, 10, 160, 90);
    expect(seamScore({ pixels: split, width: 160, height: 90 })).toBeGreaterThan(3);
    const single = await singleShotVideo(path.join(dir, 'single.mp4'), 4);
    expect(seamScore({ pixels: await grayFrame(single, 2, 160, 90), width: 160, height: 90 })).toBeLessThan(3);
  });

  it('reads a series of frames in one pass', async () => {
    const frames = await frameSeries(sample.video, 10, 10, 2, 160, 90);
    expect(frames).toHaveLength(5);
    expect(frames.every((f) => f.length === 160 * 90)).toBe(true);
  });

  it('streams the same frames one by one, and a reader may stop after the first', async () => {
    const all = await frameSeries(sample.video, 10, 10, 2, 160, 90, 'rgb24');
    const streamed: Buffer[] = [];
    for await (const frame of frameStream(sample.video, 10, 10, 2, 160, 90, 'rgb24')) streamed.push(frame);
    expect(streamed).toHaveLength(5);
    streamed.forEach((frame, i) => expect(frame.equals(all[i]!), `frame ${i}`).toBe(true));
    // Leaving the loop after one frame (the generator's finally kills the rest of the decode).
    for await (const frame of frameStream(sample.video, 0, 60, 0.5, 160, 90)) {
      expect(frame.length).toBe(160 * 90);
      break;
    }
  });
});

describe('segment video, moment audio, and joining them', () => {
  it('renders each strategy to silent 1080x1920 video of the asked duration, reporting progress', async () => {
    for (const strategy of [
      'stack_halves',
      'center_crop',
      'follow_crop',
      'fit_blur',
      'content_over_speaker',
    ] as const) {
      const output = path.join(dir, `${strategy}.mp4`);
      const fractions: number[] = [];
      const segment = {
        startS: 5,
        endS: 9,
        layout: 'speaker_focus' as const,
        strategy,
        track: [
          { t: 5, x: 0.2 },
          { t: 9, x: 0.8 },
        ],
      };
      await renderSegmentVideo(
        {
          source: sample.video,
          sourceWidth: 640,
          sourceHeight: 360,
          segment,
          output,
          encoding,
          fadeIn: true,
          fadeOut: true,
        },
        { onProgress: (f: number) => fractions.push(f) },
      );
      const info = await probe(output);
      expect(info.video, strategy).toMatchObject({ width: 1080, height: 1920 });
      expect(info.audio).toBeUndefined();
      expect(Math.abs(info.durationS - 4)).toBeLessThan(0.1);
      expect(fractions.length).toBeGreaterThan(0);
    }
  });

  it('joins video segments by stream copy and lays the moment audio under them', async () => {
    const video = path.join(dir, 'joined-video.mp4');
    await concatCopy(
      [path.join(dir, 'stack_halves.mp4'), path.join(dir, 'fit_blur.mp4')],
      video,
      path.join(dir, 'list.txt'),
    );
    const audio = path.join(dir, 'moment.m4a');
    await renderMomentAudio({ source: sample.video, hasAudio: true, startS: 5, durationS: 8, output: audio });
    const joined = path.join(dir, 'joined.mp4');
    await muxAudio(video, audio, joined);
    const info = await probe(joined);
    expect(info.audio).toBeDefined();
    expect(Math.abs(info.durationS - 8)).toBeLessThan(0.15);
  });

  it('makes a silent track when the source has no audio', async () => {
    const audio = path.join(dir, 'silent.m4a');
    await renderMomentAudio({ source: sample.video, hasAudio: false, startS: 0, durationS: 2, output: audio });
    expect((await probe(audio)).audio).toBeDefined();
  });

  it('stops ffmpeg when the signal aborts', async () => {
    const controller = new AbortController();
    const segment = { startS: 0, endS: 60, layout: 'side_by_side' as const, strategy: 'stack_halves' as const };
    const render = renderSegmentVideo(
      {
        source: sample.video,
        sourceWidth: 640,
        sourceHeight: 360,
        segment,
        output: path.join(dir, 'aborted.mp4'),
        encoding: { ...encoding, preset: 'veryslow' },
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 300);
    await expect(render).rejects.toThrow(/ffmpeg/);
  });
});
