/** Prompt to video: STORYBOARD, KEYFRAMES and STITCH (VIDEO_GEN uses the B-roll activities). */
import { Context } from '@temporalio/activity';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { estimateVideoRun } from '../pricing/estimate';
import type { KeyframesResult, Scene, StitchResult, StoryboardResult, VideoRequest } from '../domain/video';
import { veoFrameSize } from '../media/clipCheck';
import { probe } from '../media/ffmpeg';
import { stitchClips } from '../media/stitch';
import type { ActivityDeps } from './deps';
import { asFailure } from './failures';
import { nonEmptyFile, workspaceDir, writeJsonAtomic } from './workspace';

export function createVideoActivities({ config, providers }: ActivityDeps) {
  const need = () => {
    if (!providers) throw new Error('no providers configured for this worker');
    return providers;
  };
  return {
    /** STORYBOARD: the style guide and scenes, written to storyboard.json. */
    async writeStoryboard(input: { workflowId: string; request: VideoRequest }): Promise<StoryboardResult> {
      const workspace = workspaceDir(config.runsDir, input.workflowId);
      await mkdir(workspace, { recursive: true });
      await writeJsonAtomic(path.join(workspace, 'request.json'), input.request);
      const storyboard = await asFailure(() => need().text.storyboard(input.request));
      const storyboardPath = path.join(workspace, 'storyboard.json');
      await writeJsonAtomic(storyboardPath, storyboard);
      // Estimated once the scenes are known: the storyboard decides how many clips there are.
      const estimate = estimateVideoRun(config, { ...input.request, sceneCount: storyboard.scenes.length });
      await writeJsonAtomic(path.join(workspace, 'estimate.json'), estimate);
      return {
        workspace,
        storyboardPath,
        scenes: storyboard.scenes,
        generator: storyboard.generator,
        styleGuide: storyboard.style_guide,
        estimate,
        settings: {
          maxConcurrent: config.videoGen.maxConcurrent,
          timeoutS: config.videoGen.timeoutS,
          pollInitialS: config.veo3.pollInitialS,
          pollMaxS: config.veo3.pollMaxS,
        },
      };
    },

    /**
     * STORYBOARD of a run that moved here from a lost host: the storyboard it already had (from
     * history) written into this host's workspace, with no model call, so the scenes (and the clips
     * already generated for them) stay the same.
     */
    async restoreStoryboard(input: {
      workflowId: string;
      request: VideoRequest;
      board: StoryboardResult;
    }): Promise<StoryboardResult> {
      const workspace = workspaceDir(config.runsDir, input.workflowId);
      await mkdir(workspace, { recursive: true });
      await writeJsonAtomic(path.join(workspace, 'request.json'), input.request);
      const { scenes, generator, styleGuide, estimate } = input.board;
      const storyboardPath = path.join(workspace, 'storyboard.json');
      await writeJsonAtomic(storyboardPath, {
        ...(generator ? { generator } : {}),
        ...(styleGuide ? { style_guide: styleGuide } : {}),
        scenes,
      });
      if (estimate) await writeJsonAtomic(path.join(workspace, 'estimate.json'), estimate);
      return { ...input.board, workspace, storyboardPath };
    },

    /**
     * KEYFRAMES: a start and an end frame per scene; scene N+1 starts from scene N's end frame, for
     * continuity. Frames already on disk (from an earlier attempt) are not generated again.
     */
    async renderKeyframes(input: {
      workspace: string;
      scenes: Scene[];
      aspectRatio: VideoRequest['aspectRatio'];
    }): Promise<KeyframesResult> {
      const ctx = Context.current();
      const dir = path.join(input.workspace, 'keyframes');
      await mkdir(dir, { recursive: true });
      const { width, height } = veoFrameSize(input.aspectRatio);
      const frames: KeyframesResult['frames'] = [];
      for (const scene of input.scenes) {
        const name = (which: string) => path.join(dir, `scene-${String(scene.index).padStart(2, '0')}-${which}.png`);
        const previous = frames[frames.length - 1];
        const start = name('start');
        if (!(await nonEmptyFile(start))) {
          if (previous) await copyFile(previous.end, start);
          else
            await asFailure(() =>
              need().image.generate({ prompt: scene.start_frame_prompt, width, height, output: start }),
            );
        }
        const end = name('end');
        if (!(await nonEmptyFile(end)))
          await need().image.generate({ prompt: scene.end_frame_prompt, width, height, output: end });
        frames.push({ index: scene.index, start, end });
        ctx.heartbeat({ scenes: frames.length });
      }
      return { frames };
    },

    /** STITCH: the clips into one video (stream copy, or crossfades), delivered to the output folder. */
    async stitchVideo(input: {
      workspace: string;
      workflowId: string;
      clipPaths: string[];
      crossfadeS: number;
      name?: string;
    }): Promise<StitchResult> {
      const ctx = Context.current();
      const fileName = input.name ?? 'video.mp4';
      const videoPath = path.join(input.workspace, fileName);
      await stitchClips(
        input.clipPaths,
        videoPath,
        {
          crossfadeS: input.crossfadeS,
          encoding: config.encoding,
          listFile: path.join(input.workspace, `${fileName}.concat.txt`),
        },
        { signal: ctx.cancellationSignal, onProgress: (fraction) => ctx.heartbeat({ fraction }) },
      );
      const outputDir = path.join(config.outputDir, path.basename(input.workspace));
      await mkdir(outputDir, { recursive: true });
      const deliveredPath = path.join(outputDir, fileName);
      await copyFile(videoPath, deliveredPath);
      return { videoPath, deliveredPath, durationS: Math.round((await probe(videoPath)).durationS * 1000) / 1000 };
    },
  };
}
