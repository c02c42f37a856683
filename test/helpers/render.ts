/**
 * A reference for render tests: the reel's picture from its render-plan.json with the same
 * captions but no cutaway or overlay layer, rendered once more (tests only), so a test can tell what
 * a layer changed and that the audio is the same.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EncodingSettings } from '../../src/media/encoding';
import { videoOutputOptions } from '../../src/media/encoding';
import { ffmpeg, grayFrame, run } from '../../src/media/ffmpeg';
import { finalFilter, momentAudio, pictureDurationS, renderReel } from '../../src/media/finalRender';
import type { LayoutSegment } from '../../src/domain/reel';
import type { Transition } from '../../src/domain/directives';

interface PlanFile {
  source: string;
  sourceWidth: number;
  sourceHeight: number;
  segments: LayoutSegment[];
  transition: Transition;
  frame: { width: number; height: number };
  audioPath: string;
  captions: { assPath?: string };
}

export async function renderBase(
  workspace: string,
  encoding: EncodingSettings,
  options: { captions?: boolean } = {},
): Promise<string> {
  const plan = JSON.parse(await readFile(path.join(workspace, 'render-plan.json'), 'utf8')) as PlanFile;
  const withCaptions = options.captions ?? true;
  const output = path.join(workspace, withCaptions ? 'reel-base.mp4' : 'reel-uncaptioned.mp4');
  await renderReel(
    { ...plan },
    {
      cutaways: [],
      images: [],
      ...(withCaptions && plan.captions.assPath ? { assPath: plan.captions.assPath } : {}),
    },
    momentAudio(plan),
    output,
    encoding,
  );
  return output;
}

/**
 * The base picture's grey frames (width×height) at reel times `timesS`, each read from a render of
 * only the second around it (ASSEMBLY's own span graph, as a chunk of the reel is drawn), with
 * captions, without audio: a reference for a few frames of a long reel costs a few seconds of
 * video instead of all of it.
 */
export async function baseFrames(
  workspace: string,
  encoding: EncodingSettings,
  timesS: number[],
  width: number,
  height: number,
): Promise<Buffer[]> {
  const plan = JSON.parse(await readFile(path.join(workspace, 'render-plan.json'), 'utf8')) as PlanFile;
  const layers = { cutaways: [], images: [], ...(plan.captions.assPath ? { assPath: plan.captions.assPath } : {}) };
  const reelS = pictureDurationS(plan.segments);
  const frames: Buffer[] = [];
  for (const [i, atS] of timesS.entries()) {
    const span = { fromS: Math.max(0, atS - 0.5), toS: Math.min(reelS, atS + 0.5) };
    const output = path.join(workspace, `reel-base-at-${i}.mp4`);
    await run(
      ffmpeg()
        .input(plan.source)
        .inputOptions([
          '-ss',
          (plan.segments[0]!.startS + span.fromS).toFixed(3),
          '-t',
          (span.toS - span.fromS).toFixed(3),
        ])
        .complexFilter(finalFilter(plan, layers, span))
        .outputOptions([
          '-map',
          '[vout]',
          '-an',
          ...videoOutputOptions(encoding),
          '-t',
          (span.toS - span.fromS).toFixed(3),
        ])
        .output(output),
    );
    frames.push(await grayFrame(output, atS - span.fromS, width, height));
  }
  return frames;
}
