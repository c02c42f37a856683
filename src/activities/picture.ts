/** LAYOUT_DETECTIVE, FFMPEG_ENGINEER and ASSEMBLY: from a window of the source to the vertical reel. */
import { Context } from '@temporalio/activity';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BrollClip } from '../domain/broll';
import type { PlacementPlan } from '../domain/cutaways';
import { planCutaways } from '../domain/cutaways';
import type { Transition, UserMedia } from '../domain/directives';
import { TRANSITIONS, UserMediaSchema } from '../domain/directives';
import type { AssemblyResult, EngineerResult, LayoutResult, LayoutSegment, Moment } from '../domain/reel';
import type { PlacementsRecord, UserMediaItem, UserMediaRecord, UserPlan } from '../domain/userMedia';
import { planOverlays, planUserCutaways } from '../domain/userMedia';
import type { CompositeLayers } from '../media/composite';
import { compositeReel } from '../media/composite';
import { concatCopy } from '../media/concat';
import { CUTAWAY_FADE_S } from '../media/cutaways';
import { REEL_HEIGHT, REEL_WIDTH } from '../media/encoding';
import { probe } from '../media/ffmpeg';
import type { LayoutAnalysis } from '../media/layoutAnalysis';
import { analyseLayout, DETECT_WIDTH, MIN_SEGMENT_S, SAMPLE_INTERVAL_S } from '../media/layoutAnalysis';
import { SCREEN_DETAIL, SEAM_THRESHOLD } from '../media/layoutMetrics';
import { muxAudio, renderMomentAudio, renderSegmentVideo } from '../media/reframe';
import type { ActivityDeps } from './deps';
import { nonEmptyFile, writeJsonAtomic } from './workspace';

const round = (n: number) => Math.round(n * 1000) / 1000;

/** layout.json: the segments, and per frame the faces, the decision with its rule and the seam-only answer. */
function layoutRecord(a: LayoutAnalysis) {
  return {
    segments: a.segments,
    seamOnlySegments: a.seamOnlySegments,
    speakingScores: a.speakingScores,
    frames: a.frames.map((f) => ({
      atS: f.atS,
      layout: f.decision.layout,
      rule: f.decision.rule,
      seamLayout: f.seamLayout,
      faces: f.faces.map((face) => ({
        track: face.track,
        x: round(face.box.x),
        y: round(face.box.y),
        w: round(face.box.w),
        h: round(face.box.h),
        score: round(face.score),
        mouthOpen: round(face.mouthOpen),
      })),
      speech: f.speech,
      activeSpeaker: f.activeSpeaker,
      seamVertical: round(f.measures.seamVertical),
      seamHorizontal: round(f.measures.seamHorizontal),
      detail: round(f.measures.detail),
      moving: round(f.measures.motion.moving),
      motionCentreX: round(f.measures.motion.centreX),
      cornerShare: round(f.measures.motion.cornerShare),
    })),
    rules: {
      sampleIntervalS: SAMPLE_INTERVAL_S,
      detectSize: a.detectSize,
      detectWidth: DETECT_WIDTH,
      seamThreshold: SEAM_THRESHOLD,
      screenDetail: SCREEN_DETAIL,
      minSegmentS: MIN_SEGMENT_S,
    },
  };
}

/** What ASSEMBLY reads of directives.json (written by ROUTER; other fields are not its business). */
const AssemblyDirectivesSchema = z.object({
  overlays: z.array(UserMediaSchema).default([]),
  cutaways: z.array(UserMediaSchema).default([]),
  transition: z.enum(TRANSITIONS).optional(),
});
type AssemblyDirectives = z.infer<typeof AssemblyDirectivesSchema>;

async function readDirectives(file: string): Promise<AssemblyDirectives> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`could not read the directives file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = AssemblyDirectivesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`directives file ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Probes each of the user's files, so one that cannot be read is skipped with a reason at planning
 * time instead of breaking the composite pass. ROUTER already checked that the files exist.
 */
async function inspectUserMedia(list: UserMedia[], kind: 'cutaway' | 'overlay'): Promise<UserMediaItem[]> {
  return Promise.all(
    list.map(async (media, i): Promise<UserMediaItem> => {
      const item: UserMediaItem = { key: `${kind}-${i + 1}`, path: media.path, at: media.at };
      if (media.durationS !== undefined) item.durationS = media.durationS;
      try {
        const found = await probe(media.path);
        if (!found.video) return { ...item, problem: 'the file has no picture' };
        return kind === 'cutaway' ? { ...item, mediaDurationS: found.durationS } : item;
      } catch (err) {
        return { ...item, problem: `the file could not be read (${(err as Error).message.split('\n')[0]})` };
      }
    }),
  );
}

/** A plan whose placements did not make it into the reel, each recorded as skipped with `reason`. */
function unplaced<P extends { placed: { key: string }[]; skipped: unknown[] }>(
  plan: P,
  reason: string,
  toSkip: (placed: P['placed'][number]) => P['skipped'][number],
): P {
  return { ...plan, placed: [], skipped: [...plan.skipped, ...plan.placed.map((p) => toSkip(p))] };
}
const unplacedUser = (plan: UserPlan, reason: string): UserPlan =>
  unplaced(plan, reason, (p) => ({ key: p.key, path: p.path, reason }));
const unplacedBroll = (plan: PlacementPlan, reason: string): PlacementPlan =>
  unplaced(plan, reason, (p) => ({ key: p.key, reason }));

/** The layers of pass 2: B-roll with its usual fades, user cutaways as the transition says. */
function compositeLayers(broll: PlacementPlan, user: UserMediaRecord | undefined): CompositeLayers {
  const userFadeS = user?.transition === 'cut' ? 0 : CUTAWAY_FADE_S;
  const cutaways = [
    ...broll.placed.map((p) => ({ path: p.path, startS: p.startS, durationS: p.durationS, fadeS: CUTAWAY_FADE_S })),
    ...(user?.cutaways.placed ?? []).map((p) => ({
      path: p.path,
      startS: p.startS,
      durationS: p.durationS,
      fadeS: userFadeS,
    })),
  ].sort((a, b) => a.startS - b.startS);
  const images = (user?.overlays.placed ?? []).map((p) => ({ path: p.path, startS: p.startS, durationS: p.durationS }));
  return { cutaways, images };
}

export function createPictureActivities({ config }: ActivityDeps) {
  return {
    /**
     * LAYOUT_DETECTIVE: find and track the faces in frames sampled across the moment, decide each
     * frame's layout from faces and seams, split the moment where the layout changes, and choose a
     * crop strategy for each segment (for speaker focus, a steady crop plan on the active speaker).
     * Everything measured, and the seam-only answer, goes to layout.json.
     */
    async detectLayout(input: {
      workspace: string;
      source: string;
      startS: number;
      endS: number;
    }): Promise<LayoutResult> {
      const ctx = Context.current();
      const info = await probe(input.source);
      if (!info.video) throw new Error(`source has no video stream: ${input.source}`);
      // The one decode pass and the audio measure report nothing while they run: beat anyway.
      let progress: { framesDetected: number; frames: number } | undefined;
      const beat = setInterval(() => ctx.heartbeat(progress), 10_000);
      let analysis: LayoutAnalysis;
      try {
        analysis = await analyseLayout({
          source: input.source,
          sourceWidth: info.video.width,
          sourceHeight: info.video.height,
          hasAudio: Boolean(info.audio),
          startS: input.startS,
          endS: input.endS,
          aspect: REEL_WIDTH / REEL_HEIGHT,
          framing: config.framing,
          onProgress: (done, total) => {
            progress = { framesDetected: done, frames: total };
            ctx.heartbeat(progress);
          },
        });
      } finally {
        clearInterval(beat);
      }
      const { segments } = analysis;
      const layoutPath = path.join(input.workspace, 'layout.json');
      await writeJsonAtomic(layoutPath, layoutRecord(analysis));
      return { layoutPath, segments };
    },

    /**
     * FFMPEG_ENGINEER: each segment as silent 1080x1920 video with its strategy, and the moment's
     * audio in one piece. Where the layout changes, `transition` says what the picture does: a short
     * dip to black (the default), a hard cut, or a crossfade between the two framings. Reports
     * progress as heartbeats; a retry after a worker crash skips segments that were already finished.
     */
    async renderSegments(input: {
      workspace: string;
      source: string;
      segments: LayoutSegment[];
      /** Absent in histories recorded before transitions could be chosen: a dip to black. */
      transition?: Transition;
    }): Promise<EngineerResult> {
      const transition = input.transition ?? 'dip_to_black';
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
            fadeIn: transition === 'dip_to_black' && index > 0,
            fadeOut: transition === 'dip_to_black' && index < last,
            ...(transition === 'fade' && index > 0 ? { crossfadeFrom: input.segments[index - 1]! } : {}),
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
     * (stream copy). Pass 2 lays the user's own cutaways (from directives.json) and the B-roll clips
     * over it as cutaways, and the user's overlay images on top, in one re-encode of the picture
     * with the audio copied. User cutaways are placed first; B-roll steps around them. If pass 2
     * fails with user media in it, it is tried again with B-roll alone; if it still fails, the base
     * reel is delivered. Everything placed or skipped, and why, goes to broll-placements.json.
     */
    async assembleReel(input: {
      workspace: string;
      segmentPaths: string[];
      audioPath: string;
      momentPath: string;
      clips: BrollClip[];
      /** ROUTER's directives.json; absent in histories recorded before user media existed. */
      directivesPath?: string;
    }): Promise<AssemblyResult> {
      const ctx = Context.current();
      // ROUTER checked the directives; should the file still be unusable, the reel ships without
      // the user's media (recorded as skipped) rather than failing ASSEMBLY again on every resume.
      let directives: AssemblyDirectives | undefined;
      const unreadable: { key: string; path: string; reason: string }[] = [];
      if (input.directivesPath) {
        try {
          directives = await readDirectives(input.directivesPath);
        } catch (err) {
          unreadable.push({ key: 'directives', path: input.directivesPath, reason: (err as Error).message });
        }
      }
      const userMediaAsked = directives ? directives.cutaways.length + directives.overlays.length > 0 : false;
      const reelPath = path.join(input.workspace, 'reel.mp4');
      const layered = input.clips.length > 0 || userMediaAsked;
      const basePath = layered ? path.join(input.workspace, 'reel-base.mp4') : reelPath;
      const video = path.join(input.workspace, 'segments', 'video.mp4');
      await concatCopy(input.segmentPaths, video, path.join(input.workspace, 'segments', 'concat.txt'), {
        signal: ctx.cancellationSignal,
      });
      await muxAudio(video, input.audioPath, basePath);
      const baseDurationS = (await probe(basePath)).durationS;
      let plan: PlacementPlan = { placed: [], skipped: [] };
      let failure: string | undefined;
      let userMedia: UserMediaRecord | undefined;
      if (layered) {
        const moment = JSON.parse(await readFile(input.momentPath, 'utf8')) as Moment;
        if (directives && userMediaAsked) {
          const [cutawayItems, overlayItems] = await Promise.all([
            inspectUserMedia(directives.cutaways, 'cutaway'),
            inspectUserMedia(directives.overlays, 'overlay'),
          ]);
          userMedia = {
            transition: directives.transition ?? 'dip_to_black',
            cutaways: planUserCutaways(cutawayItems, moment.cues, moment.startS, baseDurationS),
            overlays: planOverlays(overlayItems, moment.cues, moment.startS, baseDurationS),
          };
        }
        // The user asked for their cutaways: B-roll that would overlap one moves or gives way.
        const reserved = (userMedia?.cutaways.placed ?? []).map((p) => ({
          key: p.key,
          startS: p.startS,
          endS: p.startS + p.durationS,
        }));
        plan = planCutaways(input.clips, moment.cues, moment.startS, baseDurationS, reserved);
        const pass = (layers: CompositeLayers) =>
          compositeReel(basePath, layers, reelPath, config.encoding, baseDurationS, {
            signal: ctx.cancellationSignal,
            onProgress: (fraction) => ctx.heartbeat({ pass: 2, fraction: round(fraction) }),
          });
        const firstLine = (err: unknown) => (err as Error).message.split('\n')[0] ?? 'unknown error';
        const layers = compositeLayers(plan, userMedia);
        try {
          if (layers.cutaways.length + layers.images.length === 0) throw new Error('no clip could be placed');
          await pass(layers);
        } catch (err) {
          let reason = firstLine(err);
          let recovered = false;
          if (userMedia && layers.cutaways.length + layers.images.length > plan.placed.length) {
            // A user's file may be what broke the pass: try again with B-roll alone, placed as if
            // no user cutaway held its spans.
            userMedia = {
              ...userMedia,
              failure: reason,
              cutaways: unplacedUser(userMedia.cutaways, `composite pass failed: ${reason}`),
              overlays: unplacedUser(userMedia.overlays, `composite pass failed: ${reason}`),
            };
            plan = planCutaways(input.clips, moment.cues, moment.startS, baseDurationS);
            if (plan.placed.length > 0) {
              try {
                await pass(compositeLayers(plan, undefined));
                recovered = true;
              } catch (again) {
                reason = firstLine(again);
              }
            }
          }
          if (!recovered) {
            await copyFile(basePath, reelPath);
            if (input.clips.length > 0) failure = reason;
            plan = unplacedBroll(plan, `cutaway pass failed: ${reason}`);
          }
        }
        const record: PlacementsRecord = {
          ...plan,
          ...(failure ? { failure } : {}),
          ...(userMedia ? { userMedia } : {}),
        };
        await writeJsonAtomic(path.join(input.workspace, 'broll-placements.json'), record);
      }
      const reel = await probe(reelPath);
      return {
        reelPath,
        durationS: round(reel.durationS),
        brollPlaced: plan.placed.length,
        brollSkipped: plan.skipped,
        ...(input.directivesPath
          ? {
              userPlaced: (userMedia?.cutaways.placed.length ?? 0) + (userMedia?.overlays.placed.length ?? 0),
              userSkipped: [
                ...unreadable,
                ...(userMedia?.cutaways.skipped ?? []),
                ...(userMedia?.overlays.skipped ?? []),
              ],
            }
          : {}),
      };
    },
  };
}
