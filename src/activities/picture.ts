/** LAYOUT_DETECTIVE, FFMPEG_ENGINEER and ASSEMBLY: from a window of the source to the vertical reel. */
import { Context } from '@temporalio/activity';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BrollClip } from '../domain/broll';
import type { PlacementPlan } from '../domain/cutaways';
import { planCutaways } from '../domain/cutaways';
import type { AssemblyResult, EngineerResult, LayoutResult, LayoutSegment, Moment } from '../domain/reel';
import { CropStrategy, Layout } from '../domain/reel';
import { concatCopy } from '../media/concat';
import { overlayCutaways } from '../media/cutaways';
import { grayFrame, probe } from '../media/ffmpeg';
import { centerSeamScore } from '../media/layoutMetrics';
import { renderVertical } from '../media/reframe';
import type { ActivityDeps } from './deps';
import { writeJsonAtomic } from './workspace';

/** Frames sampled across the moment, and their size: small, since the heuristics need no detail. */
const LAYOUT_FRAMES = 5;
const FRAME_W = 160;
const FRAME_H = 90;
/** Seam score above which a frame counts as a split screen (see centerSeamScore). */
const SPLIT_SEAM_THRESHOLD = 3;

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.size > 0,
    () => false,
  );
}

export function createPictureActivities({ config }: ActivityDeps) {
  return {
    /** LAYOUT_DETECTIVE: classify the moment's camera layout from sampled frames and pick a crop. */
    async detectLayout(input: {
      workspace: string;
      source: string;
      startS: number;
      endS: number;
    }): Promise<LayoutResult> {
      const frames: { atS: number; seamScore: number }[] = [];
      for (let i = 0; i < LAYOUT_FRAMES; i++) {
        const atS = input.startS + ((i + 0.5) / LAYOUT_FRAMES) * (input.endS - input.startS);
        const frame = await grayFrame(input.source, atS, FRAME_W, FRAME_H);
        frames.push({ atS: round(atS), seamScore: round(centerSeamScore(frame, FRAME_W, FRAME_H)) });
        Context.current().heartbeat({ frames: i + 1 });
      }
      const splitFrames = frames.filter((f) => f.seamScore > SPLIT_SEAM_THRESHOLD).length;
      const sideBySide = splitFrames * 2 > frames.length;
      const segments: LayoutSegment[] = [
        {
          startS: input.startS,
          endS: input.endS,
          layout: sideBySide ? Layout.SIDE_BY_SIDE : Layout.SPEAKER_FOCUS,
          strategy: sideBySide ? CropStrategy.STACK_HALVES : CropStrategy.CENTER_CROP,
        },
      ];
      const layoutPath = path.join(input.workspace, 'layout.json');
      await writeJsonAtomic(layoutPath, { segments, frames, threshold: SPLIT_SEAM_THRESHOLD });
      return { layoutPath, segments };
    },

    /**
     * FFMPEG_ENGINEER: cut and reframe each segment to 1080x1920. Reports progress as heartbeats; a
     * retry after a worker crash skips segments that were already finished.
     */
    async renderSegments(input: {
      workspace: string;
      source: string;
      segments: LayoutSegment[];
    }): Promise<EngineerResult> {
      const ctx = Context.current();
      const source = await probe(input.source);
      if (!source.video) throw new Error(`source has no video stream: ${input.source}`);
      const done = (ctx.info.heartbeatDetails as { segmentsDone?: number } | undefined)?.segmentsDone ?? 0;
      const dir = path.join(input.workspace, 'segments');
      await mkdir(dir, { recursive: true });
      const segmentPaths: string[] = [];
      for (const [index, segment] of input.segments.entries()) {
        const output = path.join(dir, `segment-${String(index).padStart(3, '0')}.mp4`);
        segmentPaths.push(output);
        if (index < done && (await exists(output))) continue;
        await renderVertical(
          {
            source: input.source,
            sourceWidth: source.video.width,
            sourceHeight: source.video.height,
            sourceHasAudio: Boolean(source.audio),
            startS: segment.startS,
            durationS: segment.endS - segment.startS,
            strategy: segment.strategy,
            output,
            encoding: config.encoding,
          },
          {
            signal: ctx.cancellationSignal,
            onProgress: (fraction) => ctx.heartbeat({ segmentsDone: index, fraction: round(fraction) }),
          },
        );
        ctx.heartbeat({ segmentsDone: index + 1 });
      }
      return { segmentPaths };
    },

    /**
     * ASSEMBLY in two passes. Pass 1 joins the segments into the base reel (stream copy). Pass 2
     * lays the B-roll clips over it as cutaways at their narrative anchors; if pass 2 fails, the
     * base reel is delivered and the reason recorded in broll-placements.json.
     */
    async assembleReel(input: {
      workspace: string;
      segmentPaths: string[];
      momentPath: string;
      clips: BrollClip[];
    }): Promise<AssemblyResult> {
      const ctx = Context.current();
      const reelPath = path.join(input.workspace, 'reel.mp4');
      const basePath = input.clips.length > 0 ? path.join(input.workspace, 'reel-base.mp4') : reelPath;
      await concatCopy(input.segmentPaths, basePath, path.join(input.workspace, 'segments', 'concat.txt'), {
        signal: ctx.cancellationSignal,
      });
      const baseDurationS = (await probe(basePath)).durationS;
      let plan: PlacementPlan = { placed: [], skipped: [] };
      let failure: string | undefined;
      if (input.clips.length > 0) {
        const moment = JSON.parse(await readFile(input.momentPath, 'utf8')) as Moment;
        plan = planCutaways(input.clips, moment.cues, moment.startS, baseDurationS);
        try {
          if (plan.placed.length === 0) throw new Error('no clip could be placed');
          await overlayCutaways(basePath, plan.placed, reelPath, config.encoding, baseDurationS, {
            signal: ctx.cancellationSignal,
            onProgress: (fraction) => ctx.heartbeat({ pass: 2, fraction: round(fraction) }),
          });
        } catch (err) {
          failure = (err as Error).message.split('\n')[0];
          await copyFile(basePath, reelPath);
          plan = {
            placed: [],
            skipped: [
              ...plan.skipped,
              ...plan.placed.map((p) => ({ key: p.key, reason: `cutaway pass failed: ${failure}` })),
            ],
          };
        }
        await writeJsonAtomic(path.join(input.workspace, 'broll-placements.json'), {
          ...plan,
          ...(failure ? { failure } : {}),
        });
      }
      const reel = await probe(reelPath);
      return {
        reelPath,
        durationS: round(reel.durationS),
        brollPlaced: plan.placed.length,
        brollSkipped: plan.skipped,
      };
    },
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
