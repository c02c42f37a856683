/**
 * LAYOUT_DETECTIVE → FFMPEG_ENGINEER → ASSEMBLY on a generated source for each camera layout: the
 * right layout and strategy, 1080x1920 output exactly as long as the moment, and no audio gap the
 * source did not have.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import type { BrollClip } from '../../src/domain/broll';
import { ffmpeg, grayFrame, probe, run } from '../../src/media/ffmpeg';
import { renderPromptClip } from '../../src/media/promptClip';
import { testConfig } from '../helpers/config';
import type { LayoutKind } from '../helpers/media';
import { layoutVideo, silences, tempDir } from '../helpers/media';
import { renderBase } from '../helpers/render';

let dir: string;
let activities: ReturnType<typeof createActivities>;
const mock = new MockActivityEnvironment();
const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R> };

// The test audio is 2 s of tone then 1 s of silence, repeating; a window from 1 s to 13 s starts and
// ends on a tone, so it holds exactly 4 whole silences. 12 s: every check here holds at any length,
// and each reel is a 1080x1920 encode (the sources are 14 s, a second past the window).
const WINDOW = { startS: 1, endS: 13 };
const SOURCE_S = 14;
const WINDOW_SILENCES = 4;
// Where the layout changes, each part must outlast the shortest segment LAYOUT keeps (6 s): a change
// at 8.5 s in a 1–16 s window (5 whole silences) leaves 7.5 s on each side.
const CHANGE_WINDOW = { startS: 1, endS: 16 };
const CHANGE_AT_S = 8.5;
const CHANGE_SILENCES = 5;

beforeAll(async () => {
  dir = await tempDir('picture');
  activities = createActivities({ config: testConfig(dir) });
});

async function reelFrom(name: string, source: string, clips: BrollClip[] = [], momentPath?: string, window = WINDOW) {
  const workspace = path.join(dir, 'runs', name);
  await mkdir(workspace, { recursive: true });
  const layout = await env.run(activities.detectLayout, { workspace, source, ...window });
  const rendered = await env.run(activities.renderSegments, { workspace, source, segments: layout.segments });
  const assembled = await env.run(activities.assembleReel, {
    workspace,
    ...rendered,
    momentPath: momentPath ?? path.join(workspace, 'moment.json'),
    clips,
  });
  return { workspace, layout, assembled };
}

describe('picture stages per layout', () => {
  it.each<[LayoutKind, string]>([
    ['side_by_side', 'stack_halves'],
    ['speaker_focus', 'follow_crop'],
    ['grid', 'fit_blur'],
    ['screen_share', 'content_over_speaker'],
  ])('%s → %s: 1080x1920, as long as the moment, no new audio gaps', async (kind, strategy) => {
    const source = await layoutVideo(path.join(dir, `${kind}.mp4`), [{ kind, durationS: SOURCE_S }]);
    const { layout, assembled } = await reelFrom(kind, source);
    expect(layout.segments).toHaveLength(1);
    expect(layout.segments[0]).toMatchObject({ layout: kind, strategy });
    const reel = await probe(assembled.reelPath);
    expect(reel.video).toMatchObject({ width: 1080, height: 1920 });
    expect(Math.abs(reel.durationS - (WINDOW.endS - WINDOW.startS))).toBeLessThan(0.1);
    const sourceSilences = await silences(source, { startS: WINDOW.startS, durationS: WINDOW.endS - WINDOW.startS });
    expect(sourceSilences).toBe(WINDOW_SILENCES);
    expect(await silences(assembled.reelPath)).toBe(sourceSilences);
  });

  it('follows a speaker who walks across the room (by motion: the room has no face)', async () => {
    // LAYOUT only: the crop plan is what this checks (the reel of this source is the speaker_focus case's).
    const workspace = path.join(dir, 'runs', 'walk');
    await mkdir(workspace, { recursive: true });
    const layout = await env.run(activities.detectLayout, {
      workspace,
      source: path.join(dir, 'speaker_focus.mp4'),
      ...WINDOW,
    });
    // No face in the generated room: the crop plan follows the motion.
    expect(layout.segments[0]!.framedBy).toBe('motion');
    const crop = layout.segments[0]!.crop!;
    const centre = (k: { x: number }) => (k.x + crop.width / 2) / crop.sourceWidth;
    expect(centre(crop.keyframes[0]!)).toBeLessThan(0.4);
    expect(centre(crop.keyframes[crop.keyframes.length - 1]!)).toBeGreaterThan(0.6);
  });

  it('splits the moment where the layout changes, with a different strategy for each part', async () => {
    const source = await layoutVideo(path.join(dir, 'change.mp4'), [
      { kind: 'side_by_side', durationS: CHANGE_AT_S },
      { kind: 'speaker_focus', durationS: CHANGE_WINDOW.endS + 1 - CHANGE_AT_S },
    ]);
    const { layout, assembled } = await reelFrom('change', source, [], undefined, CHANGE_WINDOW);
    expect(layout.segments.map((s) => [s.layout, s.strategy])).toEqual([
      ['side_by_side', 'stack_halves'],
      ['speaker_focus', 'follow_crop'],
    ]);
    expect(Math.abs(layout.segments[0]!.endS - CHANGE_AT_S)).toBeLessThanOrEqual(1);
    const reel = await probe(assembled.reelPath);
    expect(Math.abs(reel.durationS - (CHANGE_WINDOW.endS - CHANGE_WINDOW.startS))).toBeLessThan(0.1);
    expect(await silences(assembled.reelPath)).toBe(CHANGE_SILENCES);
  });

  it('lays B-roll in at its anchor as a cutaway while the original audio runs on', async () => {
    const workspace = path.join(dir, 'runs', 'broll');
    await mkdir(workspace, { recursive: true });
    const clip = path.join(dir, 'clip.mp4');
    await renderPromptClip({ prompt: 'harbour', durationS: 4, width: 720, height: 1264, output: clip });
    const momentPath = path.join(workspace, 'moment.json');
    // The anchor is spoken at 7 s of the source: 6 s into the reel.
    await writeFile(
      momentPath,
      JSON.stringify({
        ...WINDOW,
        score: 1,
        breakdown: {},
        cues: [{ startS: 7, endS: 9, text: 'Boats leave the harbour at dawn.' }],
      }),
    );
    const { assembled } = await reelFrom(
      'broll',
      path.join(dir, 'side_by_side.mp4'),
      [{ key: 'k_intro', path: clip, narrativeAnchor: 'boats leave the harbour', durationS: 4 }],
      momentPath,
    );
    expect(assembled.brollPlaced).toBe(1);
    const base = await renderBase(workspace, testConfig(dir).encoding);
    const diff = async (t: number) => {
      const [a, b] = [await grayFrame(assembled.reelPath, t, 54, 96), await grayFrame(base, t, 54, 96)];
      return a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] ?? 0)), 0) / a.length;
    };
    expect(await diff(8)).toBeGreaterThan(10);
    expect(await diff(3)).toBeLessThan(4);
    // The audio under the cutaway is the original: decoded samples match the base reel's.
    const pcm = async (file: string) => {
      const out = path.join(dir, `${path.basename(file)}.pcm`);
      await run(
        ffmpeg(file)
          .inputOptions(['-ss', '6', '-t', '4'])
          .outputOptions(['-vn', '-f', 's16le', '-ac', '1', '-ar', '8000'])
          .output(out),
      );
      return out;
    };
    const [reelAudio, baseAudio] = await Promise.all([pcm(assembled.reelPath), pcm(base)]);
    const { readFile } = await import('node:fs/promises');
    expect(Buffer.compare(await readFile(reelAudio), await readFile(baseAudio))).toBe(0);
  });
});
