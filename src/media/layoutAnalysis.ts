/**
 * LAYOUT_DETECTIVE's analysis of a moment: frames sampled a few times a second (decoded once, by one
 * ffmpeg pass, at the detector's size), faces detected and tracked, who speaks, the layout of each
 * frame from faces and seams together, segments, and for each segment the plan the renderer
 * follows. Everything measured is returned for layout.json, so a wrong call can be explained.
 */
import { setImmediate } from 'node:timers/promises';
import type { CropPlan, CropSettings, SubjectSample } from '../domain/cropPlan';
import { chooseSubjects, DEFAULT_CROP_SETTINGS, planCrop } from '../domain/cropPlan';
import type { Box, CropStrategy, Layout, LayoutSegment } from '../domain/reel';
import { measureAudioFeatures } from './audioFeatures';
import type { DetectedFace, RgbFrame } from './faceDetector';
import { confirmFace, detectFaces, followFaces, loadFaceModel } from './faceDetector';
import type { TrackedFace } from './faceTracks';
import { activeSpeakers, SPEECH_DB, speakingScores, trackFaces } from './faceTracks';
import { frameSeries, frameStream } from './ffmpeg';
import type { Frame, FrameMeasures } from './layoutMetrics';
import {
  classifyFrame,
  grayThumbnail,
  measureFrame,
  motion,
  movedOutside,
  patchDifference,
  SCREEN_DETAIL,
  SEAM_THRESHOLD,
  segmentLayouts,
  summariseMotion,
} from './layoutMetrics';

/** Two samples a second: enough to see a mouth move and a head drift, cheap enough for the detector. */
export const SAMPLE_INTERVAL_S = 0.5;
/** Width of the frames the detector sees (the height follows the source's aspect). */
export const DETECT_WIDTH = 512;
/** The seam/detail/motion measures keep the small frames they were tuned on. */
const THUMB_W = 160;
const THUMB_H = 90;
/** Motion is measured between frames this many samples apart (2 s, as the seam-only classifier did). */
const MOTION_GAP = Math.round(2 / SAMPLE_INTERVAL_S);
/** A layout must hold this long to become a segment of its own. */
export const MIN_SEGMENT_S = 6;
/**
 * The detector is ~80% of LAYOUT_DETECTIVE's CPU. Where the last look found no face and the picture
 * has barely changed since (a screen share, slides, an animation, a static empty shot), the next
 * frames are not shown to it: a face that walks in is found at most this many samples later (2 s),
 * and a cut (see SCENE_CHANGE) is looked at at once. Frames with faces are always all detected: the
 * mouths and small moves that speaker framing reads change every frame.
 */
const FACELESS_RECHECK = 4;
/**
 * Where faces are in view and something moved outside them, the detector (~150 ms a frame at 416)
 * looks every this many samples (2 s, so a face that walks in is found as late as one that walks
 * into an empty shot), and at once on a cut or when a followed face is lost. In between, the faces are followed by the landmark net
 * alone (~20 ms a face), which also gives the mouths that speaker choice reads.
 */
const DETECT_EVERY = 4;
/** …and every this many samples (4 s) when nothing moved outside the faces: talking heads. */
const STILL_RECHECK = 8;
/** Share of the thumbnail outside the faces that must move for a look after DETECT_EVERY samples. */
const MOVED_OUTSIDE = 0.01;
/** patchDifference beyond which the followed box no longer holds the face it held (see layoutMetrics). */
const LOST_FACE = 0.6;
/**
 * A followed face whose picture (patchDifference inside its box) differs less than this from the
 * frame where the landmark net last fitted it has not moved, and its mouth has not changed: it keeps
 * that fit instead of being fitted again. Measured on the bench's minute: a still face 0.000–0.007,
 * the talking face 0.27–0.29 when its mouth opens or closes and 0.002–0.012 when it stays as it was.
 */
const STILL_FACE = 0.03;
/**
 * The bound on keeping a fit: the net fits every face again at least every this many samples (2 s),
 * so a slow change that stays under STILL_FACE from sample to sample is seen within that.
 */
const STILL_REFIT = 4;
/** Share of thumbnail pixels that moved (layoutMetrics' MOVING) beyond which the picture changed. */
const SCENE_CHANGE = 0.2;
/** A face narrower than this (fraction of the frame) can be a screen share's speaker thumbnail. */
const THUMBNAIL_FACE_W = 0.12;

const STRATEGY: Record<Layout, CropStrategy> = {
  side_by_side: 'stack_halves',
  speaker_focus: 'follow_crop',
  grid: 'fit_blur',
  screen_share: 'content_over_speaker',
};

export interface LayoutDecision {
  layout: Layout;
  /** Which rule decided, in words. */
  rule: string;
}

const centreOf = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/**
 * One frame's layout from its faces, with the seam/detail/motion measures as evidence and as the
 * answer when no face is found. Two faces split by a centre seam are a side-by-side call; two
 * faces in one continuous picture are one shot of two people, where the reel frames the speaker.
 */
export function decideLayout(faces: TrackedFace[], m: FrameMeasures): LayoutDecision {
  const seams = classifyFrame(m);
  if (faces.length >= 3) return { layout: 'grid', rule: 'three or more faces' };
  if (faces.length === 2) {
    const [a, b] = faces.map((f) => centreOf(f.box).x) as [number, number];
    const oneEachHalf = a < 0.5 !== b < 0.5;
    if (oneEachHalf && m.seamVertical > SEAM_THRESHOLD)
      return { layout: 'side_by_side', rule: 'two faces, one in each half of a split screen' };
    return { layout: 'speaker_focus', rule: 'two faces in one picture: frame the active speaker' };
  }
  if (faces.length === 1) {
    const face = faces[0]!;
    const c = centreOf(face.box);
    const inCorner = (c.x < 0.3 || c.x > 0.7) && (c.y < 0.3 || c.y > 0.7);
    const stillDetail = m.detail >= SCREEN_DETAIL && m.motion.moving < 0.15;
    if (face.box.w < THUMBNAIL_FACE_W && inCorner && stillDetail)
      return { layout: 'screen_share', rule: 'a small face in a corner over still, detailed content' };
    if (seams === 'side_by_side' || seams === 'grid')
      return { layout: seams, rule: 'one face found, and the picture is split by seams' };
    return { layout: 'speaker_focus', rule: 'one face' };
  }
  return { layout: seams, rule: 'no face: seams, detail and motion' };
}

export interface AnalysedFrame {
  atS: number;
  decision: LayoutDecision;
  /** What the seam-only classifier (before faces) said. */
  seamLayout: Layout;
  measures: FrameMeasures;
  faces: TrackedFace[];
  speech: boolean;
  activeSpeaker: number | null;
}

export interface LayoutAnalysis {
  segments: LayoutSegment[];
  frames: AnalysedFrame[];
  /** The seam-only classifier's segments over the same frames, for comparison. */
  seamOnlySegments: { startS: number; endS: number; layout: Layout }[];
  /** Each face track's speaking score (mouth activity in speech minus in pauses). */
  speakingScores: Record<number, number>;
  detectSize: string;
  /** How many of the frames the face detector looked at (see FACELESS_RECHECK, DETECT_EVERY). */
  detectorFrames: number;
  /** How many frames' faces were followed by the landmark net alone (see DETECT_EVERY). */
  followedFrames: number;
  /** On those frames: faces the landmark net fitted, and faces that kept their last fit (see STILL_FACE). */
  followedFaces: number;
  stillFaces: number;
}

/** A face as this frame saw it, and the frame where the landmark net last fitted it (see STILL_FACE). */
interface SeenFace extends DetectedFace {
  fittedOn?: Uint8Array;
  /** Samples since that fit. */
  fitAgo: number;
}

export interface AnalyseInput {
  source: string;
  sourceWidth: number;
  sourceHeight: number;
  hasAudio: boolean;
  startS: number;
  endS: number;
  /** Output aspect (w/h) the speaker-focus crop is planned for. */
  aspect: number;
  framing?: Partial<CropSettings>;
  onProgress?: (done: number, total: number) => void;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
const round = (n: number) => Math.round(n * 1000) / 1000;

export async function analyseLayout(input: AnalyseInput): Promise<LayoutAnalysis> {
  const durationS = input.endS - input.startS;
  const width = Math.min(DETECT_WIDTH, even(input.sourceWidth));
  const height = even((width * input.sourceHeight) / input.sourceWidth);
  // Three things run at once, on the machine's cores: the audio decode (its own ffmpeg), the frame
  // decode (another), and the faces on the model's thread, fed each frame as it is decoded. This
  // thread only cuts thumbnails and measures, and does that while the model works on a frame.
  const loudness = loudnessAt(input);
  // The model's thread starts (and warms up, once per process) while the first frames decode. A
  // failure to load shows in the first detection as well: it is not reported twice.
  loadFaceModel().catch(() => undefined);
  // Observed below; until then a failure here must not become an unhandled rejection if the
  // frames fail first.
  loudness.catch(() => undefined);
  const expected = Math.max(1, Math.ceil(durationS / SAMPLE_INTERVAL_S));

  const thumbs: Frame[] = [];
  const measures: FrameMeasures[] = [];
  const counts = { followedFrames: 0, followedFaces: 0, stillFaces: 0 };
  const detected: SeenFace[][] = [];
  const looked: number[] = [];
  let previous: Uint8Array | undefined;
  const facesIn = async (i: number, frame: RgbFrame, thumb: Frame): Promise<SeenFace[]> => {
    const last = looked.at(-1);
    const before = detected[i - 1] ?? [];
    // Faces of the frame before, unless this is a cut: a whole-frame look that misses one of them
    // looks again around it before letting it go.
    let carried: DetectedFace[] = [];
    if (last !== undefined && before.length > 0 && !changed(thumbs[i - 1]!, thumb)) {
      carried = before;
      if (!facesNeedDetector(i - last, thumbs[last]!, thumb, before)) {
        const faces = await followed(frame, previous!, before, detected[i - 2] ?? []);
        if (faces) {
          counts.followedFrames += 1;
          counts.stillFaces += faces.filter((f) => f.fitAgo > 0).length;
          counts.followedFaces += faces.filter((f) => f.fitAgo === 0).length;
          return faces;
        }
      }
    }
    if (last === undefined || before.length > 0 || needsDetector(i - last, thumbs[last]!, thumb)) {
      const found = await detectFaces(frame);
      looked.push(i);
      for (const face of carried.filter((c) => !found.some((f) => sameFace(f, c)))) {
        const again = await confirmFace(frame, face);
        if (again) found.push(again);
      }
      return found.map((face) => ({ ...face, fittedOn: frame.pixels, fitAgo: 0 }));
    }
    return [];
  };
  for await (const pixels of frameStream(
    input.source,
    input.startS,
    durationS,
    SAMPLE_INTERVAL_S,
    width,
    height,
    'rgb24',
    // The face model works on the other core as the frames come: a decoder of its own threads would
    // only fight it (measured on the render bench's 30 s: 0.2–1.2 CPU s less a run, wall no longer).
    { decoderThreads: 1 },
  )) {
    const i = thumbs.length;
    const thumb: Frame = {
      pixels: grayThumbnail(pixels, width, height, THUMB_W, THUMB_H),
      width: THUMB_W,
      height: THUMB_H,
    };
    thumbs.push(thumb);
    const faces = facesIn(i, { pixels, width, height }, thumb);
    // While the model works: the measures of the frame MOTION_GAP back, which compare it with this one.
    if (i >= MOTION_GAP) measures.push(measureFrame(thumbs[i - MOTION_GAP]!, thumb));
    detected.push(await faces);
    // Only the newest frame's faces are compared with the next frame: the rest let their frames go.
    if (i > 0) detected[i - 1] = detected[i - 1]!.map((face) => ({ ...face, fittedOn: undefined }));
    previous = pixels;
    input.onProgress?.(i + 1, Math.max(i + 1, expected));
    // A yield after each frame, so a long moment never holds the event loop (heartbeats, workflow tasks).
    await setImmediate();
  }
  if (thumbs.length === 0)
    throw new Error(`no frames could be read from ${input.source} between ${input.startS} and ${input.endS} s`);
  // The last frames have no frame MOTION_GAP after them: they compare with the one before.
  for (let i = measures.length; i < thumbs.length; i++)
    measures.push(measureFrame(thumbs[i]!, thumbs[i + MOTION_GAP] ?? thumbs[i - MOTION_GAP]));
  const times = thumbs.map((_, i) => round(input.startS + i * SAMPLE_INTERVAL_S));

  const tracked = trackFaces(
    detected.map((faces, i) => ({
      atS: times[i]!,
      faces: faces.map(({ box, score, eyesY, mouthOpen }) => ({ box, score, eyesY, mouthOpen })),
    })),
  );

  const speech = speechAt(await loudness, times, input.startS);
  const active = activeSpeakers(tracked, times, speech);
  const frames: AnalysedFrame[] = times.map((atS, i) => ({
    atS,
    decision: decideLayout(tracked[i]!, measures[i]!),
    seamLayout: classifyFrame(measures[i]!),
    measures: measures[i]!,
    faces: tracked[i]!,
    speech: speech[i]!,
    activeSpeaker: active[i]!,
  }));

  const spans = segmentLayouts(
    frames.map((f) => ({ atS: f.atS, layout: f.decision.layout })),
    input.startS,
    input.endS,
    MIN_SEGMENT_S,
  );
  const segments = await Promise.all(spans.map((span) => planSegment(span, frames, input)));
  return {
    segments,
    frames,
    seamOnlySegments: segmentLayouts(
      frames.map((f) => ({ atS: f.atS, layout: f.seamLayout })),
      input.startS,
      input.endS,
      MIN_SEGMENT_S,
    ),
    speakingScores: speakingScores(tracked, times, speech),
    detectSize: `${width}x${height}`,
    detectorFrames: looked.length,
    ...counts,
  };
}

/** Whether a faceless frame `since` samples after the detector's last look (on `seen`) needs a look. */
function needsDetector(since: number, seen: Frame, now: Frame): boolean {
  return since >= FACELESS_RECHECK || changed(seen, now);
}

/**
 * Whether a frame with faces in view (`faces`, followed up to the frame before; not a cut) needs
 * the detector: every STILL_RECHECK samples, and every DETECT_EVERY samples when something moved
 * outside the faces since the detector's last look (someone may have walked in).
 */
function facesNeedDetector(since: number, seen: Frame, now: Frame, faces: DetectedFace[]): boolean {
  if (since >= STILL_RECHECK) return true;
  return (
    since >= DETECT_EVERY &&
    movedOutside(
      seen,
      now,
      faces.map((f) => f.box),
    ) > MOVED_OUTSIDE
  );
}

/** Two boxes of one face: centres closer than the earlier box's width. */
function sameFace(found: DetectedFace, earlier: DetectedFace): boolean {
  const [p, q] = [centreOf(found.box), centreOf(earlier.box)];
  return Math.hypot(p.x - q.x, p.y - q.y) < earlier.box.w;
}

/** A cut or a big change of picture: more than SCENE_CHANGE of the thumbnail moved. */
function changed(seen: Frame, now: Frame): boolean {
  return summariseMotion(motion(seen, now), now.width, now.height).moving > SCENE_CHANGE;
}

/**
 * The previous sample's faces followed into this one by the landmark net alone, or null when any
 * of them was lost (its landmarks jumped in size, or the picture inside its new box no longer looks
 * like the one inside its old box): then the detector looks at the frame. A face whose picture has
 * not changed since its last fit keeps that fit (STILL_FACE), for at most STILL_REFIT samples.
 */
async function followed(
  frame: RgbFrame,
  previous: Uint8Array,
  faces: SeenFace[],
  earlier: DetectedFace[],
): Promise<SeenFace[] | null> {
  const { width, height } = frame;
  const still = faces.map(
    (face) =>
      face.fittedOn !== undefined &&
      face.fitAgo + 1 < STILL_REFIT &&
      patchDifference({ rgb: face.fittedOn, box: face.box }, { rgb: frame.pixels, box: face.box }, width, height) <
        STILL_FACE,
  );
  const toFit = faces.filter((_, i) => !still[i]);
  const moved =
    toFit.length > 0
      ? await followFaces(
          frame,
          toFit.map((face) => ahead(face, earlier)),
        )
      : [];
  const kept: SeenFace[] = [];
  let next = 0;
  for (const [i, face] of faces.entries()) {
    if (still[i]) {
      kept.push({ ...face, fitAgo: face.fitAgo + 1 });
      continue;
    }
    const fitted = moved[next++];
    if (!fitted) return null;
    const before = { rgb: previous, box: face.box };
    if (patchDifference(before, { rgb: frame.pixels, box: fitted.box }, width, height) > LOST_FACE) return null;
    kept.push({ ...fitted, fittedOn: frame.pixels, fitAgo: 0 });
  }
  return kept;
}

/**
 * Where a face should be one sample on if it keeps moving as it did since the sample before (its
 * nearest face there, if that is within a face width): the landmark net is given the box there, so
 * a face moving steadily stays inside the box it is fitted in.
 */
function ahead(face: DetectedFace, earlier: DetectedFace[]): DetectedFace {
  const centre = (f: DetectedFace) => centreOf(f.box);
  const now = centre(face);
  const nearest = earlier
    .map((f) => ({ f, d: Math.hypot(centre(f).x - now.x, centre(f).y - now.y) }))
    .sort((a, b) => a.d - b.d)[0];
  if (!nearest || nearest.d > face.box.w) return face;
  const dx = now.x - centre(nearest.f).x;
  const dy = now.y - centre(nearest.f).y;
  return {
    ...face,
    box: { ...face.box, x: face.box.x + dx, y: face.box.y + dy },
    shape: { ...face.shape, cx: face.shape.cx + dx, cy: face.shape.cy + dy },
  };
}

/** The moment's loudness (dBFS) every SAMPLE_INTERVAL_S, or null without audio. */
async function loudnessAt(input: AnalyseInput): Promise<number[] | null> {
  if (!input.hasAudio) return null;
  const audio = await measureAudioFeatures(input.source, {
    stepS: SAMPLE_INTERVAL_S,
    window: { startS: input.startS, durationS: input.endS - input.startS },
    pitch: false,
  });
  return audio.loudnessDb;
}

/** Whether the audio holds speech (is louder than SPEECH_DB) at each sample time. */
function speechAt(loudnessDb: number[] | null, times: number[], startS: number): boolean[] {
  if (!loudnessDb) return times.map(() => false);
  return times.map((t) => (loudnessDb[Math.floor((t - startS) / SAMPLE_INTERVAL_S)] ?? -Infinity) > SPEECH_DB);
}

/** The strategy's parameters for one segment, from the frames inside it. */
async function planSegment(
  span: { startS: number; endS: number; layout: Layout },
  frames: AnalysedFrame[],
  input: AnalyseInput,
): Promise<LayoutSegment> {
  const inside = frames.filter((f) => f.atS >= span.startS - 0.01 && f.atS < span.endS);
  const segment: LayoutSegment = { ...span, strategy: STRATEGY[span.layout] };
  if (span.layout === 'speaker_focus') {
    segment.crop = await placeCuts(planSpeakerCrop(inside, input), input.source);
    segment.framedBy = inside.some((f) => f.faces.length > 0) ? 'faces' : 'motion';
  }
  if (span.layout === 'screen_share') {
    const box = speakerThumbnail(inside);
    if (box) segment.speakerBox = box;
    else segment.strategy = 'fit_blur';
  }
  return segment;
}

/**
 * The speaker-focus crop: the subject is the active speaker (held at least the hold time), else
 * the biggest face. With no face in the whole segment, the crop follows the motion instead.
 */
function planSpeakerCrop(frames: AnalysedFrame[], input: AnalyseInput): CropPlan {
  const W = input.sourceWidth;
  const H = input.sourceHeight;
  const settings = { ...DEFAULT_CROP_SETTINGS, ...input.framing };
  let samples: SubjectSample[];
  if (frames.some((f) => f.faces.length > 0)) {
    const subjects = chooseSubjects(
      frames.map((f) => ({
        t: f.atS,
        visible: [...f.faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h).map((face) => face.track),
        active: f.activeSpeaker,
      })),
      settings.holdS,
    );
    samples = frames.map((f, i) => {
      const face = f.faces.find((x) => x.track === subjects[i]);
      return {
        t: f.atS,
        subject: face ? { id: face.track, cx: centreOf(face.box).x * W, eyesY: face.eyesY * H } : null,
      };
    });
  } else {
    // No face (a cartoon, B-roll): follow where things move; hold where nothing does.
    let last = 0.5;
    samples = frames.map((f) => {
      if (f.measures.motion.moving > 0.002) last = f.measures.motion.centreX;
      return { t: f.atS, subject: { id: 0, cx: last * W, eyesY: H / 3 } };
    });
  }
  return planCrop({ samples, sourceWidth: W, sourceHeight: H, aspect: input.aspect, settings });
}

/** Frames a second read to place a cut; the picture is tiny, only its change matters. */
const CUT_SEARCH_FPS = 10;

/**
 * The planner puts a cut halfway between the two samples that saw the subject move; the picture
 * may have changed anywhere between them, so the crop could show the empty place for a moment.
 * Each cut moves to the frame where the picture changes most between those samples (one small
 * extra decode per cut; cuts are rare). The searches run CUT_SEARCHES_AT_ONCE at a time: each is
 * one short ffmpeg whose start-up and seek leave a core idle.
 */
async function placeCuts(plan: CropPlan, source: string): Promise<CropPlan> {
  const keyframes = plan.keyframes.map((k) => ({ ...k }));
  // A cut is a keyframe whose time repeats in the next one, after a keyframe before it. The
  // searches run first, from the planner's times; placing them then goes in order as one at a time
  // would, checking each cut again against the keyframes as moved so far (a moved cut can end at or
  // after a keyframe that followed it closely: that one is then no cut).
  const isCut = (i: number) => keyframes[i]!.t === keyframes[i + 1]!.t && keyframes[i - 1]!.t < keyframes[i]!.t;
  const cuts: number[] = [];
  for (let i = 1; i + 1 < keyframes.length; i++) if (isCut(i)) cuts.push(i);
  const placed = await inTurns(cuts, CUT_SEARCHES_AT_ONCE, (i) => sharpestChange(source, keyframes[i]!.t));
  cuts.forEach((i, n) => {
    if (!isCut(i)) return;
    keyframes[i]!.t = placed[n]!;
    keyframes[i + 1]!.t = placed[n]!;
  });
  return { ...plan, keyframes };
}

const CUT_SEARCHES_AT_ONCE = 2;

/** The time, within a sample interval around `cutS`, where the picture changes most. */
async function sharpestChange(source: string, cutS: number): Promise<number> {
  // The planner cuts halfway between two samples: search from the one before to the one after.
  const fromS = Math.max(0, cutS - SAMPLE_INTERVAL_S / 2);
  const frames = await frameSeries(source, fromS, SAMPLE_INTERVAL_S + 1 / CUT_SEARCH_FPS, 1 / CUT_SEARCH_FPS, 64, 36);
  let biggest = -1;
  let at = cutS;
  for (let f = 1; f < frames.length; f++) {
    let change = 0;
    const [a, b] = [frames[f - 1]!, frames[f]!];
    for (let p = 0; p < a.length; p++) change += Math.abs(a[p]! - b[p]!);
    if (change > biggest) {
      biggest = change;
      at = round(fromS + f / CUT_SEARCH_FPS);
    }
  }
  return at;
}

/** `work` on every item, at most `atOnce` at a time, the results in the items' order. */
async function inTurns<T, R>(items: T[], atOnce: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const n = next++;
      results[n] = await work(items[n]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, lane));
  return results;
}

/** Around the speaker's face in a screen share: the median face box, widened to head and shoulders. */
function speakerThumbnail(frames: AnalysedFrame[]): Box | undefined {
  const faces = frames.flatMap((f) => f.faces);
  if (faces.length === 0) {
    // No face: the corner where the motion is, as before faces.
    const corners = frames.map((f) => f.measures.motion).filter((m) => m.cornerShare > 0.6);
    const counts = new Map<string, { box: Box; n: number }>();
    for (const { corner } of corners) {
      const key = `${corner.x},${corner.y}`;
      counts.set(key, { box: corner, n: (counts.get(key)?.n ?? 0) + 1 });
    }
    return [...counts.values()].sort((a, b) => b.n - a.n)[0]?.box;
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cx = median(faces.map((f) => centreOf(f.box).x));
  const cy = median(faces.map((f) => centreOf(f.box).y));
  const w = Math.min(1, median(faces.map((f) => f.box.w)) * 3);
  const h = Math.min(1, median(faces.map((f) => f.box.h)) * 3);
  const clamp = (n: number, size: number) => Math.min(1 - size, Math.max(0, n - size / 2));
  return { x: round(clamp(cx, w)), y: round(clamp(cy, h)), w: round(w), h: round(h) };
}
