/** LAYOUT_DETECTIVE, FFMPEG_ENGINEER and ASSEMBLY: from a window of the source to the vertical reel. */
import { Context } from '@temporalio/activity';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrollClip } from '../domain/broll';
import type { PlacementPlan } from '../domain/cutaways';
import { planCutaways } from '../domain/cutaways';
import type {
  AssemblyResult,
  Box,
  CropStrategy,
  EngineerResult,
  Layout,
  LayoutResult,
  LayoutSegment,
  Moment,
} from '../domain/reel';
import { concatCopy } from '../media/concat';
import { overlayCutaways } from '../media/cutaways';
import { frameSeries, probe } from '../media/ffmpeg';
import type { FrameMeasures } from '../media/layoutMetrics';
import {
  classifyFrame,
  measureFrame,
  SCREEN_DETAIL,
  SEAM_THRESHOLD,
  segmentLayouts,
  smoothTrack,
} from '../media/layoutMetrics';
import { muxAudio, renderMomentAudio, renderSegmentVideo } from '../media/reframe';
import type { ActivityDeps } from './deps';
import { nonEmptyFile, writeJsonAtomic } from './workspace';

/** Frames are sampled this often; small, since the measurements need no detail. */
const SAMPLE_INTERVAL_S = 2;
const FRAME_W = 160;
const FRAME_H = 90;
/** A layout must hold this long to become a segment of its own. */
const MIN_SEGMENT_S = 6;

const STRATEGY: Record<Layout, CropStrategy> = {
  side_by_side: 'stack_halves',
  speaker_focus: 'follow_crop',
  grid: 'fit_blur',
  screen_share: 'content_over_speaker',
};

interface Sample {
  atS: number;
  layout: Layout;
  measures: FrameMeasures;
}

/** The strategy's parameters for one segment, from the samples inside it. */
function planSegment(span: { startS: number; endS: number; layout: Layout }, samples: Sample[]): LayoutSegment {
  const inside = samples.filter((s) => s.atS >= span.startS - 0.01 && s.atS < span.endS);
  const segment: LayoutSegment = { ...span, strategy: STRATEGY[span.layout] };
  if (span.layout === 'speaker_focus') {
    // Follow the motion; where nothing moves, hold the previous position (or the centre).
    let last = 0.5;
    const points = inside.map((s) => {
      if (s.measures.motion.moving > 0.002) last = s.measures.motion.centreX;
      return { t: s.atS, x: last };
    });
    segment.track = smoothTrack(points.length > 0 ? points : [{ t: span.startS, x: 0.5 }]);
  }
  if (span.layout === 'screen_share') {
    const corners = inside
      .map((s) => s.measures.motion)
      .filter((m) => m.cornerShare > 0.6)
      .map((m) => m.corner);
    const key = (b: Box) => `${b.x},${b.y}`;
    const counts = new Map<string, { box: Box; n: number }>();
    for (const box of corners) counts.set(key(box), { box, n: (counts.get(key(box))?.n ?? 0) + 1 });
    const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
    if (best) segment.speakerBox = best.box;
    else segment.strategy = 'fit_blur';
  }
  return segment;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function createPictureActivities({ config }: ActivityDeps) {
  return {
    /**
     * LAYOUT_DETECTIVE: classify the camera layout of frames sampled across the moment, split the
     * moment where the layout changes, and choose a crop strategy for each segment.
     */
    async detectLayout(input: {
      workspace: string;
      source: string;
      startS: number;
      endS: number;
    }): Promise<LayoutResult> {
      const frames = await frameSeries(
        input.source,
        input.startS,
        input.endS - input.startS,
        SAMPLE_INTERVAL_S,
        FRAME_W,
        FRAME_H,
      );
      if (frames.length === 0)
        throw new Error(`no frames could be read from ${input.source} between ${input.startS} and ${input.endS} s`);
      Context.current().heartbeat({ frames: frames.length });
      const asFrame = (pixels: Buffer) => ({ pixels, width: FRAME_W, height: FRAME_H });
      const samples: Sample[] = frames.map((pixels, i) => {
        const neighbour = frames[i + 1] ?? frames[i - 1];
        const measures = measureFrame(asFrame(pixels), neighbour ? asFrame(neighbour) : undefined);
        return { atS: round(input.startS + i * SAMPLE_INTERVAL_S), layout: classifyFrame(measures), measures };
      });
      const spans = segmentLayouts(samples, input.startS, input.endS, MIN_SEGMENT_S);
      const segments = spans.map((span) => planSegment(span, samples));
      const layoutPath = path.join(input.workspace, 'layout.json');
      await writeJsonAtomic(layoutPath, {
        segments,
        frames: samples.map((s) => ({
          atS: s.atS,
          layout: s.layout,
          seamVertical: round(s.measures.seamVertical),
          seamHorizontal: round(s.measures.seamHorizontal),
          detail: round(s.measures.detail),
          moving: round(s.measures.motion.moving),
          motionCentreX: round(s.measures.motion.centreX),
          cornerShare: round(s.measures.motion.cornerShare),
        })),
        rules: {
          sampleIntervalS: SAMPLE_INTERVAL_S,
          frameSize: `${FRAME_W}x${FRAME_H}`,
          seamThreshold: SEAM_THRESHOLD,
          screenDetail: SCREEN_DETAIL,
          minSegmentS: MIN_SEGMENT_S,
        },
      });
      return { layoutPath, segments };
    },

    /**
     * FFMPEG_ENGINEER: each segment as silent 1080x1920 video with its strategy (a short dip to
     * black where the layout changes), and the moment's audio in one piece. Reports progress as
     * heartbeats; a retry after a worker crash skips segments that were already finished.
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
      const last = input.segments.length - 1;
      for (const [index, segment] of input.segments.entries()) {
        const output = path.join(dir, `segment-${String(index).padStart(3, '0')}.mp4`);
        segmentPaths.push(output);
        if (index < done && (await nonEmptyFile(output))) continue;
        await renderSegmentVideo(
          {
            source: input.source,
            sourceWidth: source.video.width,
            sourceHeight: source.video.height,
            segment,
            output,
            encoding: config.encoding,
            fadeIn: index > 0,
            fadeOut: index < last,
          },
          {
            signal: ctx.cancellationSignal,
            onProgress: (fraction) => ctx.heartbeat({ segmentsDone: index, fraction: round(fraction) }),
          },
        );
        ctx.heartbeat({ segmentsDone: index + 1 });
      }
      const first = input.segments[0]!;
      const audioPath = path.join(dir, 'moment-audio.m4a');
      await renderMomentAudio({
        source: input.source,
        hasAudio: Boolean(source.audio),
        startS: first.startS,
        durationS: input.segments[last]!.endS - first.startS,
        output: audioPath,
      });
      return { segmentPaths, audioPath };
    },

    /**
     * ASSEMBLY in two passes. Pass 1 joins the segments and the moment's audio into the base reel
     * (stream copy). Pass 2 lays the B-roll clips over it as cutaways at their narrative anchors;
     * if pass 2 fails, the base reel is delivered and the reason recorded in broll-placements.json.
     */
    async assembleReel(input: {
      workspace: string;
      segmentPaths: string[];
      audioPath: string;
      momentPath: string;
      clips: BrollClip[];
    }): Promise<AssemblyResult> {
      const ctx = Context.current();
      const reelPath = path.join(input.workspace, 'reel.mp4');
      const basePath = input.clips.length > 0 ? path.join(input.workspace, 'reel-base.mp4') : reelPath;
      const video = path.join(input.workspace, 'segments', 'video.mp4');
      await concatCopy(input.segmentPaths, video, path.join(input.workspace, 'segments', 'concat.txt'), {
        signal: ctx.cancellationSignal,
      });
      await muxAudio(video, input.audioPath, basePath);
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
