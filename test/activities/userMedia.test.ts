/**
 * ASSEMBLY with the user's own media from directives.json (cutaways at a phrase or a time, overlay
 * images, B-roll giving way) and FFMPEG_ENGINEER's transition choice, on real generated media:
 * frames are read back at the planned times and the decoded audio is compared with the base reel.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { BrollClip } from '../../src/domain/broll';
import type { ParsedDirectives, Transition } from '../../src/domain/directives';
import { formatSummary } from '../../src/domain/summary';
import type { EngineerResult } from '../../src/domain/reel';
import type { PlacementsRecord } from '../../src/domain/userMedia';
import { ffmpeg, grayFrame, probe, run } from '../../src/media/ffmpeg';
import { renderPromptClip } from '../../src/media/promptClip';
import { testConfig } from '../helpers/config';
import { renderBase } from '../helpers/render';
import { layoutVideo, silences, tempDir } from '../helpers/media';

let dir: string;
let activities: ReturnType<typeof createActivities>;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

// An 18 s reel cut from 1 s to 19 s of a side-by-side source (each test renders it at 1080x1920, so
// seconds cost). The moment's cues are in source time: "boats leave the harbour" is spoken 6 s into
// the reel, "the lighthouse keeper waves" at 15 s.
const WINDOW = { startS: 1, endS: 19 };
const REEL_S = WINDOW.endS - WINDOW.startS;
const MOMENT = {
  ...WINDOW,
  score: 1,
  breakdown: {},
  cues: [
    { startS: 7, endS: 9, text: 'Boats leave the harbour at dawn.' },
    { startS: 16, endS: 18, text: 'The lighthouse keeper waves from the rocks.' },
  ],
};
// Frames are compared at this small size: enough for colours and regions, quick to read.
const W = 54;
const H = 96;

let base: EngineerResult;
let baseReel: Promise<string> | undefined;
/** The reel without any layer, rendered once from the shared plan (the reference for what a layer changed). */
const basePath = () => (baseReel ??= renderBase(path.join(dir, 'runs', 'base'), testConfig(dir).encoding));
let momentPath: string;
const media = { red: '', green: '', magentaPng: '', yellowWebp: '', broll: '', brollLate: '' };

/** A solid-colour clip with its own tone (which must never reach the reel). */
async function colourClip(file: string, colour: string, durationS: number): Promise<string> {
  await run(
    ffmpeg()
      .input(`color=c=${colour}:s=640x360:r=25:d=${durationS}`)
      .inputOptions(['-f', 'lavfi'])
      .input(`sine=f=1000:d=${durationS}`)
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'])
      .output(file),
  );
  return file;
}

async function stillImage(file: string, colour: string, size: string): Promise<string> {
  await run(
    ffmpeg()
      .input(`color=c=${colour}:s=${size}`)
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(['-frames:v', '1'])
      .output(file),
  );
  return file;
}

beforeAll(async () => {
  dir = await tempDir('usermedia');
  activities = createActivities({ config: testConfig(dir) });
  const source = await layoutVideo(path.join(dir, 'source.mp4'), [
    { kind: 'side_by_side', durationS: WINDOW.endS + 1 },
  ]);
  const workspace = path.join(dir, 'runs', 'base');
  await mkdir(workspace, { recursive: true });
  const layout = await env.run(activities.detectLayout, { workspace, source, ...WINDOW });
  base = await env.run(activities.renderSegments, { workspace, source, segments: layout.segments });
  momentPath = path.join(dir, 'moment.json');
  await writeFile(momentPath, JSON.stringify(MOMENT));
  media.red = await colourClip(path.join(dir, 'red.mp4'), 'red', 5);
  media.green = await colourClip(path.join(dir, 'green.mp4'), 'lime', 5);
  media.magentaPng = await stillImage(path.join(dir, 'magenta.png'), 'magenta', '400x100');
  media.yellowWebp = await stillImage(path.join(dir, 'yellow.webp'), 'yellow', '200x100');
  media.broll = path.join(dir, 'broll.mp4');
  await renderPromptClip({ prompt: 'harbour', durationS: 4, width: 720, height: 1264, output: media.broll });
  media.brollLate = path.join(dir, 'broll-late.mp4');
  await renderPromptClip({ prompt: 'lighthouse', durationS: 4, width: 720, height: 1264, output: media.brollLate });
});

/** ASSEMBLY in a fresh workspace, with directives.json when `directives` is given. */
async function assemble(name: string, directives?: Partial<ParsedDirectives>, clips: BrollClip[] = []) {
  const workspace = path.join(dir, 'runs', name);
  await mkdir(path.join(workspace, 'segments'), { recursive: true });
  let directivesPath: string | undefined;
  if (directives) {
    directivesPath = path.join(workspace, 'directives.json');
    const full = { generator: 'test', overlays: [], cutaways: [], unparsed: [], ...directives };
    await writeFile(directivesPath, JSON.stringify(full));
  }
  const assembled = await env.run(activities.assembleReel, {
    workspace,
    ...base,
    momentPath,
    clips,
    ...(directivesPath ? { directivesPath } : {}),
  });
  const placements = JSON.parse(
    await readFile(path.join(workspace, 'broll-placements.json'), 'utf8').catch(() => '{}'),
  ) as PlacementsRecord;
  return { workspace, assembled, placements, basePath: await basePath() };
}

/** One frame at `atS`, scaled to W×H, as RGB bytes. */
async function rgbFrame(file: string, atS: number): Promise<Buffer> {
  const out = path.join(dir, `${path.basename(path.dirname(file))}-${path.basename(file)}-${atS}.rgb`);
  await run(
    ffmpeg(file)
      .seekInput(atS)
      .outputOptions(['-frames:v', '1', '-vf', `scale=${W}:${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo'])
      .output(out),
  );
  return readFile(out);
}

/** The mean colour of a region of a frame (pixel rows y0..y1, columns x0..x1, end excluded). */
function meanColour(frame: Buffer, region = { x0: 0, y0: 0, x1: W, y1: H }): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = region.y0; y < region.y1; y++)
    for (let x = region.x0; x < region.x1; x++) {
      for (let c = 0; c < 3; c++) sum[c]! += frame[(y * W + x) * 3 + c]!;
      n++;
    }
  return sum.map((v) => Math.round(v / n)) as [number, number, number];
}

function expectColour(actual: [number, number, number], wanted: [number, number, number], tolerance = 40) {
  for (let c = 0; c < 3; c++)
    expect(Math.abs(actual[c]! - wanted[c]!), `${actual} vs ${wanted}`).toBeLessThan(tolerance);
}

/** Mean absolute difference between the grey frames of two files at `atS`. */
async function frameDiff(a: string, b: string, atS: number): Promise<number> {
  const [fa, fb] = [await grayFrame(a, atS, W, H), await grayFrame(b, atS, W, H)];
  return fa.reduce((sum, v, i) => sum + Math.abs(v - (fb[i] ?? 0)), 0) / fa.length;
}

/** The whole decoded audio track (mono, 8 kHz), for byte comparison. */
async function decodedAudio(file: string): Promise<Buffer> {
  const out = `${file}.pcm`;
  await run(ffmpeg(file).outputOptions(['-vn', '-f', 's16le', '-ac', '1', '-ar', '8000']).output(out));
  return readFile(out);
}

async function expectSameAudio(reel: string, baseReel: string) {
  const [a, b] = await Promise.all([decodedAudio(reel), decodedAudio(baseReel)]);
  expect(a.length).toBeGreaterThan(8000 * 2 * (REEL_S - 3));
  expect(Buffer.compare(a, b)).toBe(0);
}

const RED: [number, number, number] = [255, 0, 0];
const GREEN: [number, number, number] = [0, 255, 0];
const MAGENTA: [number, number, number] = [255, 0, 255];
const YELLOW: [number, number, number] = [255, 255, 0];
// The centre of the overlay box (80% of the width, upper third) at W×H: clear of fades at its edges.
const UPPER_CENTRE = { x0: 16, y0: 13, x1: 38, y1: 19 };

describe('user cutaways', () => {
  /** The first test's reel, with the default transition: the second test's fade as well. */
  let cutawaysRun: ReturnType<typeof assemble> | undefined;
  const withCutaways = () =>
    (cutawaysRun ??= assemble('cutaways', {
      cutaways: [
        { path: media.red, at: { anchor: 'boats leave the harbour' } },
        { path: media.green, at: { reelS: 13 }, durationS: 3 },
      ],
    }));

  it('places one where a phrase is spoken and one at a reel time, over the untouched audio', async () => {
    const { assembled, placements, basePath } = await withCutaways();
    expect(assembled.userPlaced).toBe(2);
    expect(assembled.userSkipped).toEqual([]);
    // The red clip is 5 s long (under the 8 s cap), so it shows for all of it.
    expect(placements.userMedia!.cutaways.placed).toMatchObject([
      { key: 'cutaway-1', path: media.red, startS: 6, durationS: 5 },
      { key: 'cutaway-2', path: media.green, startS: 13, durationS: 3 },
    ]);
    expect(await frameDiff(assembled.reelPath, basePath, 8.5)).toBeGreaterThan(10);
    expectColour(meanColour(await rgbFrame(assembled.reelPath, 8.5)), RED);
    expect(await frameDiff(assembled.reelPath, basePath, 14.5)).toBeGreaterThan(10);
    expectColour(meanColour(await rgbFrame(assembled.reelPath, 14.5)), GREEN);
    // Outside the cutaways the picture is the base reel's.
    expect(await frameDiff(assembled.reelPath, basePath, 3)).toBeLessThan(4);
    expect(await frameDiff(assembled.reelPath, basePath, 12)).toBeLessThan(4);
    expect(await frameDiff(assembled.reelPath, basePath, 17.2)).toBeLessThan(4);
    const reel = await probe(assembled.reelPath);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(Math.abs(reel.durationS - REEL_S)).toBeLessThan(0.1);
    await expectSameAudio(assembled.reelPath, basePath);
  });

  it("cuts in hard with transition 'cut', and fades in by default", async () => {
    // The same green cutaway at 13 s as the first test's reel (the default transition), cut in hard.
    const hard = await assemble('cut-cutaway', {
      cutaways: [{ path: media.green, at: { reelS: 13 }, durationS: 3 }],
      transition: 'cut',
    });
    const soft = await withCutaways();
    // 0.05 s in: a hard cut already shows the clip; a 0.3 s fade has barely begun.
    expectColour(meanColour(await rgbFrame(hard.assembled.reelPath, 13.05)), GREEN);
    expect(await frameDiff(soft.assembled.reelPath, soft.basePath, 13.05)).toBeLessThan(
      (await frameDiff(hard.assembled.reelPath, hard.basePath, 13.05)) / 2,
    );
    expect(hard.placements.userMedia!.transition).toBe('cut');
    expect(soft.placements.userMedia!.transition).not.toBe('cut');
  });

  it("wins over B-roll: the B-roll moves past the user's cutaway, or gives way with a reason", async () => {
    const clips: BrollClip[] = [
      { key: 'k_intro', path: media.broll, narrativeAnchor: 'boats leave the harbour', durationS: 4 },
      { key: 'k_outro', path: media.brollLate, narrativeAnchor: 'the lighthouse keeper waves', durationS: 4 },
    ];
    const { assembled, placements, basePath } = await assemble(
      'over-broll',
      {
        cutaways: [
          { path: media.red, at: { reelS: 5 }, durationS: 4 },
          { path: media.green, at: { reelS: 14.5 }, durationS: 3 },
        ],
      },
      clips,
    );
    expect(assembled.userPlaced).toBe(2);
    // k_intro's anchor (6 s) is inside the red cutaway (5–9 s): it follows it, after the gap.
    expect(assembled.brollPlaced).toBe(1);
    const intro = placements.placed[0]!;
    expect(intro).toMatchObject({ key: 'k_intro', startS: 9.25, durationS: 4 });
    expect(intro.note).toContain('cutaway-1');
    // k_outro's anchor (15 s) is inside the green one (14.5–17.5 s) and less than 1.5 s is left after it.
    expect(assembled.brollSkipped).toEqual([
      { key: 'k_outro', reason: "the user's cutaway cutaway-2 covers its anchor and no room is left after it" },
    ]);
    expectColour(meanColour(await rgbFrame(assembled.reelPath, 7)), RED);
    expectColour(meanColour(await rgbFrame(assembled.reelPath, 16)), GREEN);
    // The B-roll is in, where it moved to.
    expect(await frameDiff(assembled.reelPath, basePath, 11)).toBeGreaterThan(10);
    await expectSameAudio(assembled.reelPath, basePath);
  });

  // One assembly for everything that must be skipped (each 1080x1920 assembly is seconds of CPU).
  it('skips what has no place (a phrase not in the moment, a time past the end) or cannot be read as video, still places the others, and delivers the reel', async () => {
    const broken = path.join(dir, 'broken.mp4');
    await writeFile(broken, 'not a video at all');
    const { assembled, placements, workspace } = await assemble('unplaceable', {
      cutaways: [
        { path: media.red, at: { anchor: 'a phrase nobody says here' } },
        { path: broken, at: { reelS: 2 } },
        { path: media.green, at: { reelS: 12 }, durationS: 2 },
      ],
      overlays: [{ path: media.magentaPng, at: { reelS: 30 } }],
    });
    expect(assembled.userPlaced).toBe(1);
    expect(assembled.userSkipped).toHaveLength(3);
    expect(assembled.userSkipped!.filter((s) => s.key !== 'cutaway-2')).toEqual([
      {
        key: 'cutaway-1',
        path: media.red,
        reason: 'anchor "a phrase nobody says here" is not spoken in the moment',
      },
      { key: 'overlay-1', path: media.magentaPng, reason: '30 s is past the end of the reel (18.0 s)' },
    ]);
    // The file that is not a video is skipped, and the green one after it still placed.
    expect(assembled.userSkipped!.find((s) => s.key === 'cutaway-2')).toMatchObject({ key: 'cutaway-2', path: broken });
    expect(assembled.userSkipped!.find((s) => s.key === 'cutaway-2')!.reason).toMatch(/could not be read/);
    expect(placements.userMedia!.cutaways.placed).toMatchObject([{ key: 'cutaway-3', path: media.green, startS: 12 }]);
    expect((await stat(assembled.reelPath)).size).toBeGreaterThan(0);
    expect(Math.abs(assembled.durationS - REEL_S)).toBeLessThan(0.1);
    expect(placements.failure).toBeUndefined();
    // summary.md tells the user what happened to their files.
    const summary = formatSummary({
      workflowId: path.basename(workspace),
      reelDurationS: assembled.durationS,
      moment: MOMENT,
      segments: [],
      placements,
      assets: {
        generator: 'test',
        descriptions: ['a', 'b', 'c'],
        hashtags: ['#a'],
        music_mood: 'calm',
        veo3_prompts: [],
      },
      stages: [],
    });
    expect(summary).toContain('No B-roll clips reached assembly.');
    expect(summary).toContain('## Your media');
    expect(summary).toContain('Placed 1, skipped 3.');
    expect(summary).toContain(
      '- cutaway-1 (red.mp4): skipped (anchor "a phrase nobody says here" is not spoken in the moment)',
    );
  });
});

describe('overlay images', () => {
  // One assembly for both (each 1080x1920 assembly is seconds of CPU): overlays over the base reel
  // from 2 s to 5 s, and one over a cutaway from 9 s.
  it('shows a PNG in the upper third for its duration, stacks a later WebP on top, lies over a cutaway as well, and keeps the audio', async () => {
    const { assembled, placements, basePath } = await assemble('overlays', {
      cutaways: [{ path: media.green, at: { reelS: 8 }, durationS: 4 }],
      overlays: [
        { path: media.magentaPng, at: { reelS: 2 }, durationS: 2 },
        { path: media.yellowWebp, at: { reelS: 3.5 }, durationS: 1.5 },
        { path: media.magentaPng, at: { reelS: 9 } },
      ],
    });
    expect(assembled.userPlaced).toBe(4);
    expect(placements.userMedia!.overlays.placed).toMatchObject([
      { key: 'overlay-1', startS: 2, durationS: 2 },
      { key: 'overlay-2', startS: 3.5, durationS: 1.5 },
      { key: 'overlay-3', startS: 9 },
    ]);
    const at3 = await rgbFrame(assembled.reelPath, 3);
    expectColour(meanColour(at3, UPPER_CENTRE), MAGENTA);
    // Only the upper third is covered: the rest of the frame is the base reel's.
    const lower = { x0: 0, y0: H / 2, x1: W, y1: H };
    expectColour(meanColour(at3, lower), meanColour(await rgbFrame(basePath, 3), lower), 6);
    // Both are up at 3.9 s; the later one is drawn on top.
    expectColour(meanColour(await rgbFrame(assembled.reelPath, 3.9), UPPER_CENTRE), YELLOW);
    // At 6 s both are gone.
    const at6 = meanColour(await rgbFrame(assembled.reelPath, 6), UPPER_CENTRE);
    expectColour(at6, meanColour(await rgbFrame(basePath, 6), UPPER_CENTRE), 6);
    expect(Math.abs(at6[0] - MAGENTA[0]) + Math.abs(at6[2] - MAGENTA[2])).toBeGreaterThan(100);
    // Over the cutaway: the overlay on top, the cutaway's green below it.
    const at10 = await rgbFrame(assembled.reelPath, 10);
    expectColour(meanColour(at10, UPPER_CENTRE), MAGENTA);
    expectColour(meanColour(at10, lower), GREEN);
    await expectSameAudio(assembled.reelPath, basePath);
  });
});

describe('transition at layout changes', () => {
  const renders = new Map<string, { reelPath: string; boundaryS: number }>();
  // A 15 s moment across the change, 7.5 s of each layout (LAYOUT keeps no segment under 6 s): three
  // 1080x1920 renders of it, and a transition needs only the seconds around the change. The test
  // audio (2 s tone, 1 s silence) holds 5 whole silences from 1 s to 16 s.
  const CHANGE_WINDOW = { startS: 1, endS: 16 };
  const CHANGE_SILENCES = 5;

  beforeAll(async () => {
    const source = await layoutVideo(path.join(dir, 'change.mp4'), [
      { kind: 'side_by_side', durationS: 8.5 },
      { kind: 'speaker_focus', durationS: 8.5 },
    ]);
    const layoutWorkspace = path.join(dir, 'runs', 'change-layout');
    await mkdir(layoutWorkspace, { recursive: true });
    const layout = await env.run(activities.detectLayout, { workspace: layoutWorkspace, source, ...CHANGE_WINDOW });
    const changeMoment = path.join(dir, 'change-moment.json');
    await writeFile(changeMoment, JSON.stringify({ ...MOMENT, ...CHANGE_WINDOW, cues: MOMENT.cues.slice(0, 1) }));
    expect(layout.segments).toHaveLength(2);
    for (const transition of [undefined, 'cut', 'fade'] as (Transition | undefined)[]) {
      const workspace = path.join(dir, 'runs', `change-${transition ?? 'default'}`);
      await mkdir(workspace, { recursive: true });
      const rendered = await env.run(activities.renderSegments, {
        workspace,
        source,
        segments: layout.segments,
        ...(transition ? { transition } : {}),
      });
      const { reelPath } = await env.run(activities.assembleReel, {
        workspace,
        ...rendered,
        momentPath: changeMoment,
        clips: [],
      });
      renders.set(transition ?? 'default', { reelPath, boundaryS: layout.segments[0]!.endS - CHANGE_WINDOW.startS });
    }
  });

  /** The darkest mean grey level of the frames around the layout change. */
  async function darkestAroundChange(name: string): Promise<number> {
    const { reelPath, boundaryS } = renders.get(name)!;
    const levels: number[] = [];
    for (const offset of [-0.1, -0.05, 0, 0.04, 0.1]) {
      const frame = await grayFrame(reelPath, boundaryS + offset, W, H);
      levels.push(frame.reduce((sum, v) => sum + v, 0) / frame.length);
    }
    return Math.min(...levels);
  }

  it('dips to black by default, and cuts straight with transition cut', async () => {
    expect(await darkestAroundChange('default')).toBeLessThan(25);
    expect(await darkestAroundChange('cut')).toBeGreaterThan(35);
  });

  it('crossfades the two framings with transition fade: no black, a blend, then the new framing, in sync', async () => {
    const fade = renders.get('fade')!;
    const cut = renders.get('cut')!;
    expect(await darkestAroundChange('fade')).toBeGreaterThan(35);
    // Mid-crossfade the picture is neither the old framing nor (yet) the new one…
    expect(await frameDiff(fade.reelPath, cut.reelPath, fade.boundaryS + 0.2)).toBeGreaterThan(4);
    // …and a second later it is the new framing exactly as a hard cut shows it.
    expect(await frameDiff(fade.reelPath, cut.reelPath, fade.boundaryS + 1)).toBeLessThan(3);
    const reel = await probe(fade.reelPath);
    expect(Math.abs(reel.durationS - (CHANGE_WINDOW.endS - CHANGE_WINDOW.startS))).toBeLessThan(0.1);
    expect(await silences(fade.reelPath)).toBe(CHANGE_SILENCES);
  });
});
