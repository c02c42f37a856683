/**
 * Reframing a window of a landscape source to the reel's frame (9:16 1080x1920 by default, or any
 * aspect preset), one strategy per layout, and cutting the moment's audio in one piece.
 */
import type { CropPlan } from '../domain/cropPlan';
import type { Box, LayoutSegment } from '../domain/reel';
import type { EncodingSettings } from './encoding';
import type { FrameSize } from './encoding';
import { AUDIO_OUTPUT_OPTIONS, REEL_FRAME, videoOutputOptions } from './encoding';
import { ffmpeg, run } from './ffmpeg';
import type { RunOptions } from './ffmpeg';

/** An even size of at least 2 px (x264 with yuv420p needs even sides). */
const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);
/** An even offset, which may be 0. */
const evenOffset = (n: number) => Math.max(0, Math.floor(n / 2) * 2);
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** The largest window of aspect `aspect` (w/h) inside a w×h area, as [width, height]. */
export function fitAspect(width: number, height: number, aspect: number): [number, number] {
  return width / height > aspect ? [even(height * aspect), even(height)] : [even(width), even(width / aspect)];
}

/** A crop of `box` (fractions) cut to `aspect` around its centre, in pixels: [w, h, x, y]. */
function cropBox(box: Box, width: number, height: number, aspect: number): [number, number, number, number] {
  const [w, h] = fitAspect(box.w * width, box.h * height, aspect);
  const cx = (box.x + box.w / 2) * width;
  const cy = (box.y + box.h / 2) * height;
  return [w, h, evenOffset(clamp(cx - w / 2, 0, width - w)), evenOffset(clamp(cy - h / 2, 0, height - h))];
}

/**
 * A value over time as an ffmpeg expression of `t` (seconds from `startS`): straight lines between
 * the points, held flat before the first and after the last; two points at the same time are a step.
 */
export function pathExpression(points: { t: number; v: number }[], startS: number): string {
  const at = points.map((p) => ({ t: Math.max(0, p.t - startS), v: p.v }));
  if (at.length === 0) return '0';
  let expr = String(at[at.length - 1]!.v);
  for (let i = at.length - 2; i >= 0; i--) {
    const a = at[i]!;
    const b = at[i + 1]!;
    const line = b.t > a.t ? `${a.v}+(${b.v - a.v})*(t-${a.t.toFixed(2)})/${(b.t - a.t).toFixed(2)}` : String(b.v);
    expr = `if(lt(t,${b.t.toFixed(2)}),${line},${expr})`;
  }
  return `if(lt(t,${at[0]!.t.toFixed(2)}),${at[0]!.v},${expr})`;
}

/**
 * The crop's x offset over time for a `track` (runs recorded before crop plans): the track's
 * horizontal centres (0–1) as pixel offsets of a `cropWidth` window, clamped to the frame.
 */
export function trackExpression(
  track: { t: number; x: number }[],
  startS: number,
  width: number,
  cropWidth: number,
): string {
  const px = (x: number) => Math.round(clamp(x * width - cropWidth / 2, 0, width - cropWidth));
  if (track.length === 0) return String(px(0.5));
  return pathExpression(
    track.map((p) => ({ t: p.t, v: px(p.x) })),
    startS,
  );
}

/**
 * The crop that follows a CropPlan: its fixed window size, its corner along the plan's keyframes.
 * The plan was made for this source size; should the source differ, the window is scaled to it.
 */
export function planCropFilter(plan: CropPlan, startS: number, width: number, height: number): string {
  const sx = width / plan.sourceWidth;
  const sy = height / plan.sourceHeight;
  const w = Math.min(width, even(plan.width * sx));
  const h = Math.min(height, even(plan.height * sy));
  const px = (v: number, scale: number, room: number) => evenOffset(clamp(v * scale, 0, room));
  const x = pathExpression(
    plan.keyframes.map((k) => ({ t: k.t, v: px(k.x, sx, width - w) })),
    startS,
  );
  const y = pathExpression(
    plan.keyframes.map((k) => ({ t: k.t, v: px(k.y, sy, height - h) })),
    startS,
  );
  return `crop=${w}:${h}:'${x}':'${y}'`;
}

/**
 * The filter graph that turns a `width`×`height` frame into `frame` (default 1080x1920) for
 * `segment`; output label [v]. Two-person layouts stack the halves top over bottom in a portrait or
 * square frame and side by side in a landscape one.
 */
export function reframeFilter(
  segment: Pick<LayoutSegment, 'strategy' | 'track' | 'crop' | 'speakerBox' | 'startS'>,
  width: number,
  height: number,
  frame: FrameSize = REEL_FRAME,
): string {
  const { width: W, height: H } = frame;
  const tail = 'setsar=1,format=yuv420p[v]';
  switch (segment.strategy) {
    case 'stack_halves': {
      // Each half becomes a tile (top/bottom, or left/right in a landscape frame); the crop keeps
      // the upper part of the half, where faces are.
      const sideBySide = W > H;
      const [tw, th] = sideBySide ? [even(W / 2), H] : [W, even(H / 2)];
      const half = Math.floor(width / 2);
      const [cw, ch] = fitAspect(half, height, tw / th);
      const x = evenOffset((half - cw) / 2);
      const y = evenOffset((height - ch) / 3);
      const tile = `scale=${tw}:${th},setsar=1`;
      return (
        `[0:v]split=2[left][right];` +
        `[left]crop=${cw}:${ch}:${x}:${y},${tile}[top];` +
        `[right]crop=${cw}:${ch}:${half + x}:${y},${tile}[bottom];` +
        `[top][bottom]${sideBySide ? 'hstack' : 'vstack'}=inputs=2,scale=${W}:${H},format=yuv420p[v]`
      );
    }
    case 'fit_blur':
      return (
        `[0:v]split=2[bgsrc][fgsrc];` +
        // The fill is blurred at quarter size and scaled up: the same look for a fraction of the work.
        `[bgsrc]scale=${even(W / 4)}:${even(H / 4)}:force_original_aspect_ratio=increase,crop=${even(W / 4)}:${even(H / 4)},boxblur=6:2,scale=${W}:${H}[bg];` +
        `[fgsrc]scale=${W}:${H}:force_original_aspect_ratio=decrease:force_divisible_by=2[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2,${tail}`
      );
    case 'content_over_speaker': {
      // The whole screen, full width, on top; the speaker's thumbnail enlarged to fill the rest.
      const topHeight = even((W * height) / width);
      if (H - topHeight < H / 5) {
        // A landscape frame has no room under the screen: the screen alone, fitted.
        return reframeFilter({ ...segment, strategy: 'fit_blur' }, width, height, frame);
      }
      const [w, h, x, y] = cropBox(
        segment.speakerBox ?? { x: 0.7, y: 0.7, w: 0.3, h: 0.3 },
        width,
        height,
        W / (H - topHeight),
      );
      return (
        `[0:v]split=2[screen][speaker];[screen]scale=${W}:${topHeight},setsar=1[top];` +
        `[speaker]crop=${w}:${h}:${x}:${y},scale=${W}:${H - topHeight},setsar=1[bottom];` +
        `[top][bottom]vstack=inputs=2,format=yuv420p[v]`
      );
    }
    case 'follow_crop': {
      if (segment.crop)
        return `[0:v]${planCropFilter(segment.crop, segment.startS, width, height)},scale=${W}:${H},${tail}`;
      const [cw, ch] = fitAspect(width, height, W / H);
      const x = trackExpression(segment.track ?? [], segment.startS, width, cw);
      return `[0:v]crop=${cw}:${ch}:'${x}':${evenOffset((height - ch) / 2)},scale=${W}:${H},${tail}`;
    }
    case 'center_crop': {
      const [cw, ch] = fitAspect(width, height, W / H);
      return `[0:v]crop=${cw}:${ch}:${evenOffset((width - cw) / 2)}:${evenOffset((height - ch) / 2)},scale=${W}:${H},${tail}`;
    }
  }
}

/** Seconds of the dip to black where the layout changes (video only: the audio runs on). */
export const TRANSITION_S = 0.2;
/** Seconds of the crossfade between two layouts' framings. */
export const CROSSFADE_S = 0.4;

/**
 * A reframe graph with its labels renamed, so two strategies can live in one filter graph: the
 * source label `[0:v]` becomes `[input]`, the result `[v]` becomes `[output]`, and every inner label
 * gains `prefix`. (Square brackets only ever hold labels in a filter graph.)
 */
export function relabel(graph: string, input: string, output: string, prefix: string): string {
  return graph
    .replace(/\[([A-Za-z]\w*)\]/g, (_, name: string) => (name === 'v' ? `[${output}]` : `[${prefix}${name}]`))
    .replace(/\[0:v\]/g, `[${input}]`);
}

/**
 * A true crossfade at a layout change that keeps sync: the same source frames framed both ways,
 * the previous segment's framing fading into this one's over the first CROSSFADE_S. The outgoing
 * segment is not extended and nothing overlaps in time, so segments still join by stream copy and
 * the moment's audio lines up as before. Output label [v].
 */
export function crossfadeFilter(
  previous: Pick<LayoutSegment, 'strategy' | 'track' | 'crop' | 'speakerBox'>,
  segment: Pick<LayoutSegment, 'strategy' | 'track' | 'crop' | 'speakerBox' | 'startS' | 'endS'>,
  width: number,
  height: number,
  frame: FrameSize = REEL_FRAME,
): string {
  const fadeS = Math.min(CROSSFADE_S, (segment.endS - segment.startS) / 2).toFixed(3);
  // The previous framing is evaluated on this segment's clock: a follow-crop holds its last position.
  const before = relabel(
    reframeFilter({ ...previous, startS: segment.startS }, width, height, frame),
    'xp',
    'xpv',
    'p_',
  );
  const after = relabel(reframeFilter(segment, width, height, frame), 'xc', 'xcv', 'c_');
  return (
    `[0:v]split=2[xpsrc][xcsrc];` +
    `[xpsrc]trim=duration=${fadeS},setpts=PTS-STARTPTS[xp];[xcsrc]setpts=PTS-STARTPTS[xc];` +
    `${before};${after};[xpv][xcv]xfade=transition=fade:duration=${fadeS}:offset=0,format=yuv420p[v]`
  );
}

export interface RenderSegmentInput {
  source: string;
  sourceWidth: number;
  sourceHeight: number;
  segment: LayoutSegment;
  output: string;
  encoding: EncodingSettings;
  /** Dip in from / out to black (at a layout change). */
  fadeIn?: boolean;
  fadeOut?: boolean;
  /** Crossfade in from this (the previous) segment's framing instead. */
  crossfadeFrom?: LayoutSegment;
}

/** Renders one segment as silent 1080x1920 video. */
export async function renderSegmentVideo(input: RenderSegmentInput, options: RunOptions = {}): Promise<void> {
  const { segment } = input;
  const durationS = segment.endS - segment.startS;
  const fades = [
    input.fadeIn ? `fade=t=in:st=0:d=${TRANSITION_S}` : '',
    input.fadeOut ? `fade=t=out:st=${(durationS - TRANSITION_S).toFixed(3)}:d=${TRANSITION_S}` : '',
  ].filter(Boolean);
  const graph = input.crossfadeFrom
    ? crossfadeFilter(input.crossfadeFrom, segment, input.sourceWidth, input.sourceHeight)
    : reframeFilter(segment, input.sourceWidth, input.sourceHeight);
  const filter = fades.length > 0 ? graph.replace(/\[v\]$/, `[framed];[framed]${fades.join(',')}[v]`) : graph;
  const command = ffmpeg()
    .input(input.source)
    .inputOptions(['-ss', segment.startS.toFixed(3), '-t', durationS.toFixed(3)])
    .complexFilter(filter)
    .outputOptions([
      '-map',
      '[v]',
      ...videoOutputOptions(input.encoding),
      '-an',
      '-t',
      durationS.toFixed(3),
      '-movflags',
      '+faststart',
    ])
    .output(input.output);
  await run(command, { expectedDurationS: durationS, ...options });
}

/** The moment's audio as one AAC file (silence when the source has none). */
export async function renderMomentAudio(input: {
  source: string;
  hasAudio: boolean;
  startS: number;
  durationS: number;
  output: string;
  signal?: AbortSignal;
}): Promise<void> {
  const command = input.hasAudio
    ? ffmpeg()
        .input(input.source)
        .inputOptions(['-ss', input.startS.toFixed(3), '-t', input.durationS.toFixed(3)])
        .outputOptions(['-map', '0:a:0'])
    : ffmpeg().input('anullsrc=r=48000:cl=stereo').inputOptions(['-f', 'lavfi']);
  command.outputOptions(['-vn', ...AUDIO_OUTPUT_OPTIONS, '-t', input.durationS.toFixed(3)]).output(input.output);
  await run(command, input.signal ? { signal: input.signal } : {});
}

/** Joins silent video (already concatenated) with the moment's audio, both by stream copy. */
export async function muxAudio(video: string, audio: string, output: string): Promise<void> {
  await run(
    ffmpeg()
      .input(video)
      .input(audio)
      .outputOptions(['-map', '0:v:0', '-map', '1:a:0', '-c', 'copy', '-shortest', '-movflags', '+faststart'])
      .output(output),
  );
}
