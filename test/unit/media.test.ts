/** The media module on real files with the system ffmpeg. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SamplePodcast } from '../../src/dev/samplePodcast';
import { parseSubtitles } from '../../src/domain/subtitles';
import { concatCopy } from '../../src/media/concat';
import { grayFrame, probe } from '../../src/media/ffmpeg';
import { centerSeamScore } from '../../src/media/layoutMetrics';
import { renderVertical } from '../../src/media/reframe';
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
    expect(centerSeamScore(split, 160, 90)).toBeGreaterThan(3);
    const single = await singleShotVideo(path.join(dir, 'single.mp4'), 4);
    expect(centerSeamScore(await grayFrame(single, 2, 160, 90), 160, 90)).toBeLessThan(3);
  });
});

describe('renderVertical and concatCopy', () => {
  it('renders each strategy to 1080x1920 with audio and the asked duration, and joins them by stream copy', async () => {
    const outputs: string[] = [];
    for (const strategy of ['stack_halves', 'center_crop'] as const) {
      const output = path.join(dir, `${strategy}.mp4`);
      const fractions: number[] = [];
      await renderVertical(
        {
          source: sample.video,
          sourceWidth: 640,
          sourceHeight: 360,
          sourceHasAudio: true,
          startS: 5,
          durationS: 6,
          strategy,
          output,
          encoding,
        },
        { expectedDurationS: 6, onProgress: (f) => fractions.push(f) },
      );
      const info = await probe(output);
      expect(info.video).toMatchObject({ width: 1080, height: 1920 });
      expect(info.audio).toBeDefined();
      expect(Math.abs(info.durationS - 6)).toBeLessThan(0.1);
      expect(fractions.length).toBeGreaterThan(0);
      outputs.push(output);
    }
    const joined = path.join(dir, 'joined.mp4');
    await concatCopy(outputs, joined, path.join(dir, 'list.txt'));
    expect(Math.abs((await probe(joined)).durationS - 12)).toBeLessThan(0.15);
  });

  it('adds a silent track when the source has none', async () => {
    const output = path.join(dir, 'silent.mp4');
    const single = await singleShotVideo(path.join(dir, 'single2.mp4'), 3);
    await renderVertical({
      source: single,
      sourceWidth: 640,
      sourceHeight: 360,
      sourceHasAudio: false,
      startS: 0,
      durationS: 2,
      strategy: 'center_crop',
      output,
      encoding,
    });
    expect((await probe(output)).audio).toBeDefined();
  });

  it('stops ffmpeg when the signal aborts', async () => {
    const controller = new AbortController();
    const render = renderVertical(
      {
        source: sample.video,
        sourceWidth: 640,
        sourceHeight: 360,
        sourceHasAudio: true,
        startS: 0,
        durationS: 60,
        strategy: 'stack_halves',
        output: path.join(dir, 'aborted.mp4'),
        encoding: { ...encoding, preset: 'veryslow' },
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 300);
    await expect(render).rejects.toThrow(/ffmpeg/);
  });
});
