/** LAYOUT_DETECTIVE, FFMPEG_ENGINEER and ASSEMBLY: from a window of the source to the vertical reel. */
import { Context } from '@temporalio/activity';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BrollClip } from '../domain/broll';
import type { CaptionPage, WordTiming } from '../domain/captions';
import { hookTitle, pagesToSrt, pagesToVtt, paginate, reelWords } from '../domain/captions';
import { dominantStrategy, formatAss } from '../domain/captionsAss';
import type { PlacementPlan } from '../domain/cutaways';
import { planCutaways } from '../domain/cutaways';
import type { Directives, Transition, UserMedia } from '../domain/directives';
import { TRANSITIONS, UserMediaSchema } from '../domain/directives';
import type { AssemblyResult, EngineerResult, LayoutResult, LayoutSegment, Moment } from '../domain/reel';
import type { Aspect, CaptionStyle } from '../domain/render';
import { ASPECT_PRESETS, DEFAULT_ASPECT, DEFAULT_CAPTION_STYLE } from '../domain/render';
import type { PlacementsRecord, UserMediaItem, UserMediaRecord, UserPlan } from '../domain/userMedia';
import { planOverlays, planUserCutaways } from '../domain/userMedia';
import type { CompositeLayers } from '../media/composite';
import { compositeReel } from '../media/composite';
import { concatCopy } from '../media/concat';
import { CUTAWAY_FADE_S } from '../media/cutaways';
import type { FrameSize } from '../media/encoding';
import { probe } from '../media/ffmpeg';
import type { Layers, PictureInput, RenderReport } from '../media/finalRender';
import { attemptPath, momentAudio, pictureDurationS, renderReel } from '../media/finalRender';
import type { LayoutAnalysis } from '../media/layoutAnalysis';
import { analyseLayout, DETECT_WIDTH, MIN_SEGMENT_S, SAMPLE_INTERVAL_S } from '../media/layoutAnalysis';
import { SCREEN_DETAIL, SEAM_THRESHOLD } from '../media/layoutMetrics';
import { muxAudio } from '../media/reframe';
import type { ActivityDeps } from './deps';
import { writeJsonAtomic, writeTextAtomic } from './workspace';

const round = (n: number) => Math.round(n * 1000) / 1000;

/** layout.json: the segments, and per frame the faces, the decision with its rule and the seam-only answer. */
function layoutRecord(a: LayoutAnalysis) {
  return {
    segments: a.segments,
    seamOnlySegments: a.seamOnlySegments,
    speakingScores: a.speakingScores,
    // Frames the face detector looked at, of frames.length (faceless unchanged frames are skipped).
    detectorFrames: a.detectorFrames,
    // Frames whose faces the landmark net followed from the frame before, without the detector.
    followedFrames: a.followedFrames,
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

/**
 * render-plan.json: what FFMPEG_ENGINEER prepared for the one encode in ASSEMBLY: the source, the
 * segments and their transition, the frame, the moment's audio (already encoded), and the captions.
 */
interface RenderPlan {
  source: string;
  sourceWidth: number;
  sourceHeight: number;
  segments: LayoutSegment[];
  transition: Transition;
  aspect: Aspect;
  frame: FrameSize;
  audioPath: string;
  captions: {
    style: CaptionStyle;
    /** reel.ass (captions and hook), absent when there is nothing to draw. */
    assPath?: string;
    srtPath?: string;
    vttPath?: string;
    words: number;
    pages: number;
    /** Where word times came from; `estimated` words were spread over their cue by length. */
    timing?: WordTiming;
    estimatedCues: number;
  };
  hook?: { text: string; from: 'moment' | 'strongest line'; asked: 'request' | 'directive' };
}

/** The moment, when the workspace has one (tests of the picture alone may not). */
async function readMoment(file: string): Promise<Moment | undefined> {
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as Moment,
    () => undefined,
  );
}

/**
 * A name for this attempt's output next to `final`: an orphan ffmpeg of an earlier attempt (its
 * worker died, it did not) may still be writing its own; this attempt never shares a path with it,
 * and the result reaches `final` only by a rename once complete.
 */
/** The chunk files an earlier attempt of ASSEMBLY recorded in its heartbeat details. */
function chunksOf(details: unknown): string[] {
  const chunks = (details as { chunks?: unknown } | undefined)?.chunks;
  return Array.isArray(chunks) ? chunks.filter((c): c is string => typeof c === 'string') : [];
}

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
     * crop strategy for each segment (for speaker focus, a steady crop plan on the active speaker,
     * shaped for the reel's aspect). Everything measured, and the seam-only answer, goes to layout.json.
     */
    async detectLayout(input: {
      workspace: string;
      source: string;
      startS: number;
      endS: number;
      /** The reel's aspect preset (default 9:16): crop plans are cut to it. */
      aspect?: Aspect;
    }): Promise<LayoutResult> {
      const ctx = Context.current();
      const info = await probe(input.source);
      if (!info.video) throw new Error(`source has no video stream: ${input.source}`);
      const frame = ASPECT_PRESETS[input.aspect ?? DEFAULT_ASPECT];
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
          aspect: frame.width / frame.height,
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
     * FFMPEG_ENGINEER prepares the one encode while B-roll renders, and encodes nothing: it names
     * the moment's audio file (ASSEMBLY encodes it beside the picture), writes the captions (word
     * times from the transcript, or estimated inside each cue) as reel.ass for libass and as
     * reel.srt/reel.vtt for platforms, picks the hook title, and records it all in
     * render-plan.json for ASSEMBLY. Every file is written under a temporary name and renamed.
     */
    async renderSegments(input: {
      workspace: string;
      source: string;
      segments: LayoutSegment[];
      /** Absent in histories recorded before transitions could be chosen: a dip to black. */
      transition?: Transition;
      /** The moment (cues for captions, hook line); default: the workspace's moment.json. */
      momentPath?: string;
      /** Render options of the request (src/domain/render.ts); defaults: bold captions, 9:16, no hook. */
      captions?: CaptionStyle;
      aspect?: Aspect;
      hook?: boolean;
      /** ROUTER's directives.json: its `hook` ("start with a title") asks for the hook title. */
      directivesPath?: string;
    }): Promise<EngineerResult> {
      const source = await probe(input.source);
      if (!source.video) throw new Error(`source has no video stream: ${input.source}`);
      if (input.segments.length === 0)
        throw new Error('renderSegments: segments is empty (LAYOUT_DETECTIVE found no segment)');
      const aspect = input.aspect ?? DEFAULT_ASPECT;
      const frame = ASPECT_PRESETS[aspect];
      const style = input.captions ?? DEFAULT_CAPTION_STYLE;
      const durationS = pictureDurationS(input.segments);
      const first = input.segments[0]!;
      const dir = path.join(input.workspace, 'segments');
      await mkdir(dir, { recursive: true });

      // ASSEMBLY encodes the audio here, alongside the picture (src/media/finalRender.ts).
      const audioPath = path.join(dir, 'moment-audio.m4a');

      const moment = await readMoment(input.momentPath ?? path.join(input.workspace, 'moment.json'));
      const { words, timing, estimatedCues } = moment
        ? reelWords(moment.cues, first.startS, durationS)
        : { words: [], timing: undefined, estimatedCues: 0 };
      const pages: CaptionPage[] = paginate(words, style, durationS);
      // ROUTER parsed "start with a title" into the directives' `hook`.
      const directiveHook = input.directivesPath
        ? await readFile(input.directivesPath, 'utf8').then(
            (text) => (JSON.parse(text) as Pick<Directives, 'hook'>).hook === true,
            () => false,
          )
        : false;
      const asked = input.hook ? 'request' : directiveHook ? 'directive' : undefined;
      const title = asked && moment ? hookTitle(moment) : null;
      const plan: RenderPlan = {
        source: input.source,
        sourceWidth: source.video.width,
        sourceHeight: source.video.height,
        segments: input.segments,
        transition: input.transition ?? 'dip_to_black',
        aspect,
        frame: { width: frame.width, height: frame.height },
        audioPath,
        captions: { style, words: words.length, pages: pages.length, ...(timing ? { timing } : {}), estimatedCues },
        ...(title && asked ? { hook: { ...title, asked } } : {}),
      };
      if (pages.length > 0 || title) {
        const assPath = path.join(input.workspace, 'reel.ass');
        await writeTextAtomic(
          assPath,
          formatAss({
            frame,
            style,
            pages,
            strategy: dominantStrategy(input.segments),
            font: config.captions.font,
            ...(title ? { hook: title.text } : {}),
            reelDurationS: durationS,
          }),
        );
        plan.captions.assPath = assPath;
      }
      if (pages.length > 0) {
        // Caption files carry the same pages, at the same times, as the burned captions.
        plan.captions.srtPath = path.join(input.workspace, 'reel.srt');
        plan.captions.vttPath = path.join(input.workspace, 'reel.vtt');
        await writeTextAtomic(plan.captions.srtPath, pagesToSrt(pages));
        await writeTextAtomic(plan.captions.vttPath, pagesToVtt(pages));
      }
      const planPath = path.join(input.workspace, 'render-plan.json');
      await writeJsonAtomic(planPath, plan);
      return { segmentPaths: [], audioPath, planPath };
    },

    /**
     * ASSEMBLY: the reel in one encode of the picture (src/media/finalRender.ts): the framed
     * segments, the user's own cutaways (from directives.json) and the B-roll clips as cutaways,
     * the user's overlay images, and the captions and hook title on top, with the moment's audio
     * copied. User cutaways are placed first; B-roll steps around them. If the render fails with
     * user media in it, it is tried again with B-roll alone; if it still fails, without any layer.
     * Placements go to broll-placements.json, the render's own record to render.json. A retried
     * attempt renders to its own temporary file and renames it into place.
     *
     * A run whose FFMPEG_ENGINEER finished before this design (its result has segment files and no
     * plan) is assembled the old way: segments joined, then one composite pass.
     */
    async assembleReel(input: {
      workspace: string;
      segmentPaths: string[];
      audioPath: string;
      momentPath: string;
      clips: BrollClip[];
      /** ROUTER's directives.json; absent in histories recorded before user media existed. */
      directivesPath?: string;
      /** FFMPEG_ENGINEER's render-plan.json; absent in runs whose segments were encoded separately. */
      planPath?: string;
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
      const attempt = ctx.info.attempt;
      const started = Date.now();

      // The picture without layers, and a pass that lays `layers` over it into `output`.
      let baseDurationS: number;
      let bare: (output: string) => Promise<void>;
      let pass: (layers: CompositeLayers, output: string) => Promise<void>;
      let plan: RenderPlan | undefined;
      // Chunks of the one encode finished so far, in every heartbeat: a retry resumes after them.
      const chunksDir = path.join(input.workspace, 'chunks');
      let chunks = chunksOf(ctx.info.heartbeatDetails);
      let rendered: RenderReport | undefined;
      const onProgress = (fraction: number) => ctx.heartbeat({ attempt, fraction: round(fraction), chunks });
      if (input.planPath) {
        plan = JSON.parse(await readFile(input.planPath, 'utf8')) as RenderPlan;
        const picture: PictureInput = {
          source: plan.source,
          sourceWidth: plan.sourceWidth,
          sourceHeight: plan.sourceHeight,
          segments: plan.segments,
          transition: plan.transition,
          frame: plan.frame,
        };
        const captions = plan.captions.assPath ? { assPath: plan.captions.assPath } : {};
        const renderWith = async (layers: CompositeLayers, output: string) => {
          rendered = await renderReel(
            picture,
            { ...layers, ...captions } satisfies Layers,
            momentAudio(plan!, attempt),
            output,
            config.encoding,
            {
              signal: ctx.cancellationSignal,
              onProgress,
              chunks: {
                dir: chunksDir,
                attempt,
                chunkS: config.render.chunkS,
                done: chunks,
                onChunk: (done) => {
                  chunks = done;
                  ctx.heartbeat({ attempt, chunks });
                },
              },
            },
          );
        };
        baseDurationS = pictureDurationS(plan.segments);
        bare = (output) => renderWith({ cutaways: [], images: [] }, output);
        pass = renderWith;
      } else {
        if (input.segmentPaths.length === 0) throw new Error('assembleReel: neither planPath nor segmentPaths given');
        const basePath = path.join(input.workspace, 'reel-base.mp4');
        const video = path.join(input.workspace, 'segments', 'video.mp4');
        await concatCopy(input.segmentPaths, video, path.join(input.workspace, 'segments', 'concat.txt'), {
          signal: ctx.cancellationSignal,
        });
        await muxAudio(video, input.audioPath, basePath);
        baseDurationS = (await probe(basePath)).durationS;
        bare = (output) => copyFile(basePath, output);
        pass = (layers, output) =>
          compositeReel(basePath, layers, output, config.encoding, baseDurationS, {
            signal: ctx.cancellationSignal,
            onProgress,
          });
      }

      const partial = attemptPath(reelPath, attempt);
      let placements: PlacementPlan = { placed: [], skipped: [] };
      let failure: string | undefined;
      let userMedia: UserMediaRecord | undefined;
      if (!layered) {
        await bare(partial);
      } else {
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
        placements = planCutaways(input.clips, moment.cues, moment.startS, baseDurationS, reserved);
        const firstLine = (err: unknown) => (err as Error).message.split('\n')[0] ?? 'unknown error';
        const layers = compositeLayers(placements, userMedia);
        try {
          if (layers.cutaways.length + layers.images.length === 0) throw new Error('no clip could be placed');
          await pass(layers, partial);
        } catch (err) {
          if (ctx.cancellationSignal.aborted) throw err;
          let reason = firstLine(err);
          let recovered = false;
          if (userMedia && layers.cutaways.length + layers.images.length > placements.placed.length) {
            // A user's file may be what broke the pass: try again with B-roll alone, placed as if
            // no user cutaway held its spans.
            userMedia = {
              ...userMedia,
              failure: reason,
              cutaways: unplacedUser(userMedia.cutaways, `composite pass failed: ${reason}`),
              overlays: unplacedUser(userMedia.overlays, `composite pass failed: ${reason}`),
            };
            placements = planCutaways(input.clips, moment.cues, moment.startS, baseDurationS);
            if (placements.placed.length > 0) {
              try {
                await pass(compositeLayers(placements, undefined), partial);
                recovered = true;
              } catch (again) {
                reason = firstLine(again);
              }
            }
          }
          if (!recovered) {
            await bare(partial);
            if (input.clips.length > 0) failure = reason;
            placements = unplacedBroll(placements, `cutaway pass failed: ${reason}`);
          }
        }
        const record: PlacementsRecord = {
          ...placements,
          ...(failure ? { failure } : {}),
          ...(userMedia ? { userMedia } : {}),
        };
        await writeJsonAtomic(path.join(input.workspace, 'broll-placements.json'), record);
      }
      await rename(partial, reelPath);
      await rm(chunksDir, { recursive: true, force: true });
      const reel = await probe(reelPath);
      await writeJsonAtomic(path.join(input.workspace, 'render.json'), {
        design: plan ? 'one-encode' : 'segments+composite (run started before the one-encode render)',
        // Full-length encodes of the picture this reel took (FFMPEG_ENGINEER encodes none now).
        pictureEncodes: plan ? 1 : 1 + input.segmentPaths.length,
        attempt,
        // Chunks of the encode (src/media/chunks.ts) and how many this attempt encoded itself.
        ...(rendered ? { chunks: rendered } : {}),
        wallS: round((Date.now() - started) / 1000),
        durationS: round(reel.durationS),
        ...(plan
          ? {
              aspect: plan.aspect,
              frame: plan.frame,
              transition: plan.transition,
              captions: plan.captions,
              ...(plan.hook ? { hook: plan.hook } : {}),
            }
          : {}),
        layers: {
          cutaways: placements.placed.length + (userMedia?.cutaways.placed.length ?? 0),
          images: userMedia?.overlays.placed.length ?? 0,
        },
      });
      return {
        reelPath,
        durationS: round(reel.durationS),
        brollPlaced: placements.placed.length,
        brollSkipped: placements.skipped,
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
