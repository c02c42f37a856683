/**
 * The reel's one encode (FFMPEG_ENGINEER prepares, ASSEMBLY renders) on generated media with real
 * ffmpeg and libass: captions really on screen (read back by OCR, also over a B-roll cutaway),
 * caption files at the burned captions' times, each aspect preset's exact size, one encode of the
 * picture, audio as long as the picture, and the hook title.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { BrollClip } from '../../src/domain/broll';
import type { Aspect, CaptionStyle } from '../../src/domain/render';
import { ASPECT_PRESETS } from '../../src/domain/render';
import { parseSubtitles } from '../../src/domain/subtitles';
import { normaliseText } from '../../src/domain/text';
import { ffmpeg, probe, run } from '../../src/media/ffmpeg';
import { renderPromptClip } from '../../src/media/promptClip';
import { parseInstructionsOffline } from '../../src/providers/text/offlineInstructions';
import { renderMomentAudio, renderSegmentVideo } from '../../src/media/reframe';
import { testConfig } from '../helpers/config';
import { layoutVideo, tempDir } from '../helpers/media';

const exec = promisify(execFile);
let dir: string;
let source: string;
let activities: ReturnType<typeof createActivities>;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

const WINDOW = { startS: 1, endS: 11 };
const REEL_S = WINDOW.endS - WINDOW.startS;
// Source-time cues (no word timings: the words are estimated inside each cue).
const CUES = [
  { startS: 1.2, endS: 4, text: 'Boats leave the harbour at dawn, every single morning.' },
  { startS: 4.2, endS: 7.5, text: 'Nobody told us how cold the water would be!' },
  { startS: 7.6, endS: 10.8, text: 'That is why we built the heated hull.' },
];

beforeAll(async () => {
  dir = await tempDir('render');
  activities = createActivities({ config: testConfig(dir) });
  source = await layoutVideo(path.join(dir, 'speaker.mp4'), [{ kind: 'speaker_focus', durationS: 12 }]);
});

async function render(
  name: string,
  /** `hook: 'directive'`: asked for by ROUTER's directives ("start with a title"), not the request. */
  options: { captions?: CaptionStyle; aspect?: Aspect; hook?: boolean | 'directive'; clips?: BrollClip[] },
) {
  const workspace = path.join(dir, 'runs', name);
  await mkdir(workspace, { recursive: true });
  const momentPath = path.join(workspace, 'moment.json');
  await writeFile(momentPath, JSON.stringify({ ...WINDOW, score: 1, breakdown: {}, cues: CUES }));
  const layout = await env.run(activities.detectLayout, {
    workspace,
    source,
    ...WINDOW,
    ...(options.aspect ? { aspect: options.aspect } : {}),
  });
  const directivesPath = path.join(workspace, 'directives.json');
  if (options.hook === 'directive') {
    await writeFile(
      directivesPath,
      JSON.stringify({ ...parseInstructionsOffline('Start with a title.'), generator: 'test' }),
    );
  }
  const prepared = await env.run(activities.renderSegments, {
    workspace,
    source,
    segments: layout.segments,
    momentPath,
    ...(options.captions ? { captions: options.captions } : {}),
    ...(options.aspect ? { aspect: options.aspect } : {}),
    ...(options.hook === true ? { hook: true } : {}),
    ...(options.hook === 'directive' ? { directivesPath } : {}),
  });
  const assembled = await env.run(activities.assembleReel, {
    workspace,
    ...prepared,
    momentPath,
    clips: options.clips ?? [],
  });
  const record = JSON.parse(await readFile(path.join(workspace, 'render.json'), 'utf8')) as {
    pictureEncodes: number;
    captions: { timing: string; estimatedCues: number };
    hook?: { text: string; asked: string };
  };
  return { workspace, prepared, assembled, record };
}

/** Text tesseract reads in the frame at `atS`, over rows `fromY`–`toY` (shares of the height). */
async function ocr(file: string, atS: number, fromY: number, toY: number): Promise<string> {
  const png = path.join(dir, `${path.basename(path.dirname(file))}-${atS}.png`);
  await run(
    ffmpeg(file)
      .seekInput(atS)
      .outputOptions(['-frames:v', '1', '-vf', `crop=iw:ih*${toY - fromY}:0:ih*${fromY},format=gray`])
      .output(png),
  );
  const { stdout } = await exec('tesseract', [png, '-', '--psm', '6'], { timeout: 120_000 });
  return normaliseText(stdout);
}

/** Share of `expected`'s words that OCR found. */
function found(expected: string, read: string): number {
  const words = normaliseText(expected).split(' ');
  const seen = new Set(read.split(' '));
  return words.filter((w) => seen.has(w)).length / words.length;
}

describe('the one-encode render', () => {
  it('burns word-by-word captions that OCR reads back at the spoken times, also over a B-roll cutaway', async () => {
    const clip = path.join(dir, 'clip.mp4');
    await renderPromptClip({ prompt: 'harbour', durationS: 4, width: 720, height: 1264, output: clip });
    const { workspace, assembled, record } = await render('ocr', {
      captions: 'minimal',
      clips: [{ key: 'k_broll', path: clip, narrativeAnchor: 'nobody told us', durationS: 4 }],
    });
    expect(record.pictureEncodes).toBe(1);
    // The cue had no word timings: the record says they were estimated.
    expect(record.captions).toMatchObject({ timing: 'estimated', estimatedCues: 3 });
    expect(assembled.brollPlaced).toBe(1);
    const placement = JSON.parse(await readFile(path.join(workspace, 'broll-placements.json'), 'utf8')).placed[0] as {
      startS: number;
      durationS: number;
    };
    const srt = parseSubtitles(await readFile(path.join(workspace, 'reel.srt'), 'utf8'));
    const underCutaway = placement.startS + placement.durationS / 2;
    for (const atS of [1.5, underCutaway, 8.6]) {
      const cue = srt.find((c) => c.startS <= atS && atS < c.endS);
      expect(cue, `a caption at ${atS} s`).toBeDefined();
      const read = await ocr(assembled.reelPath, atS, 0.7, 0.95);
      expect(found(cue!.text, read), `at ${atS} s expected "${cue!.text}", read "${read}"`).toBeGreaterThanOrEqual(0.6);
    }
    // Between two sentences' pages nothing else is drawn: the first page is gone at the third's time.
    expect(found(srt[0]!.text, await ocr(assembled.reelPath, 8.6, 0.7, 0.95))).toBeLessThan(0.5);
  });

  it('writes reel.srt and reel.vtt at the burned captions’ times, none outliving the reel', async () => {
    const { workspace, assembled } = await render('files', { captions: 'bold' });
    const ass = await readFile(path.join(workspace, 'reel.ass'), 'utf8');
    const assTime = (t: string) => {
      const [h, m, s] = t.split(':').map(Number);
      return h! * 3600 + m! * 60 + s!;
    };
    // Bold draws one event per word; a page is on screen from its first event's start to its last's end.
    const events = ass
      .split('\n')
      .filter((l) => l.startsWith('Dialogue: 0,'))
      .map((l) => l.split(',').slice(1, 3).map(assTime) as [number, number]);
    const reel = await probe(assembled.reelPath);
    for (const name of ['reel.srt', 'reel.vtt']) {
      const cues = parseSubtitles(await readFile(path.join(workspace, name), 'utf8'));
      expect(cues.length).toBeGreaterThanOrEqual(3);
      for (const cue of cues) {
        expect(cue.endS).toBeLessThanOrEqual(reel.durationS + 0.05);
        const starts = events.filter(([s]) => Math.abs(s - cue.startS) <= 0.05);
        const ends = events.filter(([, e]) => Math.abs(e - cue.endS) <= 0.05);
        expect(starts.length, `a burned caption starts at ${cue.startS}`).toBeGreaterThan(0);
        expect(ends.length, `a burned caption ends at ${cue.endS}`).toBeGreaterThan(0);
      }
    }
  });

  it.each<[Aspect, CaptionStyle, boolean | 'directive']>([
    ['1:1', 'karaoke', false],
    ['4:5', 'bold', 'directive'],
    ['16:9', 'none', false],
  ])(
    '%s (%s captions, hook %s): exact size, as long as the moment, audio as long as the picture',
    async (aspect, captions, hook) => {
      const { workspace, assembled, record } = await render(`aspect-${aspect.replace(':', 'x')}`, {
        aspect,
        captions,
        hook,
      });
      const reel = await probe(assembled.reelPath);
      expect(reel.video).toMatchObject(ASPECT_PRESETS[aspect]);
      expect(Math.abs(reel.durationS - REEL_S)).toBeLessThan(0.1);
      const streams = await exec('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_type,duration',
        '-of',
        'json',
        assembled.reelPath,
      ]);
      const durations = (JSON.parse(streams.stdout) as { streams: { codec_type: string; duration: string }[] }).streams;
      const of = (type: string) => Number(durations.find((s) => s.codec_type === type)!.duration);
      expect(Math.abs(of('audio') - of('video'))).toBeLessThan(0.1);
      expect(record.pictureEncodes).toBe(1);
      if (captions === 'none') {
        await expect(readFile(path.join(workspace, 'reel.srt'), 'utf8')).rejects.toThrow();
      }
      if (hook) {
        expect(record.hook).toMatchObject({ text: 'Nobody told us how cold the water would be!', asked: 'directive' });
        // The title is at the top for the first seconds, then gone.
        const top = (atS: number) => ocr(assembled.reelPath, atS, 0, 0.3);
        expect(found('Nobody told us how cold the water would be', await top(1))).toBeGreaterThanOrEqual(0.6);
        expect(found('Nobody told us how cold the water would be', await top(4))).toBeLessThan(0.3);
      }
      // Nothing is left under a temporary name.
      expect((await readdir(workspace)).filter((f) => f.includes('.partial'))).toEqual([]);
    },
  );

  it('still assembles a run whose FFMPEG_ENGINEER encoded segments before the one-encode render', async () => {
    const workspace = path.join(dir, 'runs', 'legacy');
    await mkdir(path.join(workspace, 'segments'), { recursive: true });
    const layout = await env.run(activities.detectLayout, { workspace, source, ...WINDOW });
    // What the old renderSegments left: one silent segment file and the moment's audio, no plan.
    const info = await probe(source);
    const segmentPath = path.join(workspace, 'segments', 'segment-000.mp4');
    const audioPath = path.join(workspace, 'segments', 'moment-audio.m4a');
    await renderSegmentVideo({
      source,
      sourceWidth: info.video!.width,
      sourceHeight: info.video!.height,
      segment: layout.segments[0]!,
      output: segmentPath,
      encoding: testConfig(dir).encoding,
    });
    await renderMomentAudio({ source, hasAudio: true, startS: WINDOW.startS, durationS: REEL_S, output: audioPath });
    const momentPath = path.join(workspace, 'moment.json');
    await writeFile(momentPath, JSON.stringify({ ...WINDOW, score: 1, breakdown: {}, cues: CUES }));
    const assembled = await env.run(activities.assembleReel, {
      workspace,
      segmentPaths: [segmentPath],
      audioPath,
      momentPath,
      clips: [],
    });
    const reel = await probe(assembled.reelPath);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(Math.abs(reel.durationS - REEL_S)).toBeLessThan(0.1);
    const record = JSON.parse(await readFile(path.join(workspace, 'render.json'), 'utf8')) as { design: string };
    expect(record.design).toMatch(/^segments\+composite/);
  });
});
