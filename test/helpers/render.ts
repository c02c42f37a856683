/**
 * A reference for render tests: the reel's picture from its render-plan.json with the same
 * captions but no cutaway or overlay layer, rendered once more (tests only), so a test can tell what
 * a layer changed and that the audio is the same.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EncodingSettings } from '../../src/media/encoding';
import { renderReel } from '../../src/media/finalRender';
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
    plan.audioPath,
    output,
    encoding,
  );
  return output;
}
