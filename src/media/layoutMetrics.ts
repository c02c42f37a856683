/**
 * Measurements on small grayscale frames that tell camera layouts apart, and the rules that turn
 * them into a layout per frame and segments per moment. Pure functions over raw 8-bit pixels, so
 * they are tested without ffmpeg. Thresholds were set on generated sources (see the tests); the
 * measurements are recorded in layout.json so a wrong call can be explained.
 */
import type { Layout } from '../domain/reel';

export interface Frame {
  pixels: Uint8Array;
  width: number;
  height: number;
}

const at = (f: Frame, x: number, y: number) => f.pixels[y * f.width + x] ?? 0;

/**
 * How strongly the frame is split in the middle, along columns ('vertical': a left and a right
 * picture) or rows ('horizontal': a top and a bottom picture). A split screen changes across
 * nearly the whole line, so each line's strength is a low percentile of its steps (70% of the
 * line must change at least that much): an object's edge that happens to cross the centre does not
 * count. The score is the strongest line near the centre over the median line elsewhere; a hard
 * seam scores well above 3, a single shot stays near or below 1.
 */
export function seamScore(frame: Frame, direction: 'vertical' | 'horizontal' = 'vertical'): number {
  const lines = direction === 'vertical' ? frame.width : frame.height;
  const across = direction === 'vertical' ? frame.height : frame.width;
  // Steps are whole numbers 0..255, so the percentile is read from a histogram, not a sort: the
  // same value, without sorting a line of steps for each of a frame's ~250 lines (a sort per line
  // was most of this thread's work in LAYOUT).
  const counts = new Uint32Array(256);
  const rank = Math.floor(across * 0.3);
  const strength = (i: number) => {
    counts.fill(0);
    for (let j = 0; j < across; j++) {
      counts[
        direction === 'vertical'
          ? Math.abs(at(frame, i, j) - at(frame, i - 1, j))
          : Math.abs(at(frame, j, i) - at(frame, j, i - 1))
      ]! += 1;
    }
    for (let value = 0, seen = 0; value < 256; value++) {
      seen += counts[value]!;
      if (seen > rank) return value;
    }
    return 0;
  };
  const strengths: number[] = [];
  for (let i = 1; i < lines; i++) strengths.push(strength(i));
  const centre = Math.floor(lines / 2);
  const window = Math.max(1, Math.floor(lines / 40));
  let seam = 0;
  for (let i = centre - window; i <= centre + window; i++) seam = Math.max(seam, strengths[i - 1] ?? 0);
  const others = strengths.filter((_, i) => Math.abs(i + 1 - centre) > window).sort((a, b) => a - b);
  const median = others[Math.floor(others.length / 2)] ?? 0;
  return seam / Math.max(median, 0.5);
}

/**
 * A small grayscale copy of an RGB frame (each output pixel the mean luma of the source pixels it
 * covers), so the measures below run on the frames the face detector already decoded.
 */
export function grayThumbnail(rgb: Uint8Array, width: number, height: number, tw: number, th: number): Uint8Array {
  const out = new Uint8Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    const y0 = Math.floor((ty * height) / th);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * height) / th));
    for (let tx = 0; tx < tw; tx++) {
      const x0 = Math.floor((tx * width) / tw);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * width) / tw));
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * width + x) * 3;
          // BT.601 luma, as ffmpeg's format=gray.
          sum += 0.299 * (rgb[i] ?? 0) + 0.587 * (rgb[i + 1] ?? 0) + 0.114 * (rgb[i + 2] ?? 0);
        }
      }
      out[ty * tw + tx] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return out;
}

/** Mean absolute difference between horizontally and vertically neighbouring pixels: text and UI score high. */
export function detail(frame: Frame): number {
  let sum = 0;
  for (let y = 1; y < frame.height; y++) {
    for (let x = 1; x < frame.width; x++) {
      sum += Math.abs(at(frame, x, y) - at(frame, x - 1, y)) + Math.abs(at(frame, x, y) - at(frame, x, y - 1));
    }
  }
  return sum / ((frame.width - 1) * (frame.height - 1));
}

/** Per-pixel absolute difference between two frames of the same size. */
export function motion(a: Frame, b: Frame): Float32Array {
  const out = new Float32Array(a.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs((a.pixels[i] ?? 0) - (b.pixels[i] ?? 0));
  return out;
}

/** Pixels that changed by more than this count as moving (noise and compression stay below it). */
const MOVING = 12;

export interface MotionSummary {
  /** Share of pixels that moved. */
  moving: number;
  /** Horizontal centre of the motion, 0 (left) to 1 (right); 0.5 when nothing moved. */
  centreX: number;
  /** Share of the motion inside the busiest corner box (a speaker thumbnail over a shared screen). */
  cornerShare: number;
  /** That corner box, as fractions of the frame. */
  corner: { x: number; y: number; w: number; h: number };
}

const CORNER = 0.3;

export function summariseMotion(diff: Float32Array, width: number, height: number): MotionSummary {
  let total = 0;
  let moving = 0;
  let weightedX = 0;
  const corners = [0, 0, 0, 0];
  const cw = Math.floor(width * CORNER);
  const ch = Math.floor(height * CORNER);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = diff[y * width + x] ?? 0;
      if (d <= MOVING) continue;
      moving += 1;
      total += d;
      weightedX += d * x;
      const left = x < cw;
      const right = x >= width - cw;
      const top = y < ch;
      const bottom = y >= height - ch;
      if (top && left) corners[0]! += d;
      if (top && right) corners[1]! += d;
      if (bottom && left) corners[2]! += d;
      if (bottom && right) corners[3]! += d;
    }
  }
  const best = corners.indexOf(Math.max(...corners));
  const boxes = [
    { x: 0, y: 0 },
    { x: 1 - CORNER, y: 0 },
    { x: 0, y: 1 - CORNER },
    { x: 1 - CORNER, y: 1 - CORNER },
  ];
  return {
    moving: moving / (width * height),
    centreX: total > 0 ? weightedX / total / (width - 1) : 0.5,
    cornerShare: total > 0 ? (corners[best] ?? 0) / total : 0,
    corner: { ...boxes[best]!, w: CORNER, h: CORNER },
  };
}

export interface FrameMeasures {
  seamVertical: number;
  seamHorizontal: number;
  detail: number;
  motion: MotionSummary;
}

export function measureFrame(frame: Frame, neighbour: Frame | undefined): FrameMeasures {
  const diff = neighbour ? motion(frame, neighbour) : new Float32Array(frame.pixels.length);
  return {
    seamVertical: seamScore(frame, 'vertical'),
    seamHorizontal: seamScore(frame, 'horizontal'),
    detail: detail(frame),
    motion: summariseMotion(diff, frame.width, frame.height),
  };
}

/** Above this a centre seam counts as a split (see seamScore). */
export const SEAM_THRESHOLD = 3;
/** Screen content (text, UI) has this much pixel-to-pixel detail or more; faces and rooms far less. */
export const SCREEN_DETAIL = 14;

export function classifyFrame(m: FrameMeasures): Layout {
  const vertical = m.seamVertical > SEAM_THRESHOLD;
  const horizontal = m.seamHorizontal > SEAM_THRESHOLD;
  if (vertical && horizontal) return 'grid';
  if (vertical) return 'side_by_side';
  // A shared screen: busy, still content, with whatever moves (the speaker) tucked into a corner.
  const stillContent = m.detail >= SCREEN_DETAIL && m.motion.moving < 0.15;
  if (stillContent && (m.motion.cornerShare > 0.6 || m.motion.moving < 0.002)) return 'screen_share';
  return 'speaker_focus';
}

export interface LayoutSample {
  atS: number;
  layout: Layout;
}

/**
 * Runs of the same layout, as [start, end) spans covering startS..endS. A run shorter than
 * `minRunS` is absorbed by its neighbour, so one odd frame never makes a segment of its own.
 * Boundaries fall halfway between the last sample of one run and the first of the next.
 */
export function segmentLayouts(
  samples: LayoutSample[],
  startS: number,
  endS: number,
  minRunS: number,
): { startS: number; endS: number; layout: Layout }[] {
  if (samples.length === 0) return [{ startS, endS, layout: 'speaker_focus' }];
  let runs: { first: number; last: number; layout: Layout }[] = [];
  for (const sample of samples) {
    const run = runs[runs.length - 1];
    if (run && run.layout === sample.layout) run.last = sample.atS;
    else runs.push({ first: sample.atS, last: sample.atS, layout: sample.layout });
  }
  const span = (i: number) => {
    const run = runs[i]!;
    const from = i === 0 ? startS : (runs[i - 1]!.last + run.first) / 2;
    const to = i === runs.length - 1 ? endS : (run.last + runs[i + 1]!.first) / 2;
    return to - from;
  };
  // Absorb the shortest too-short run into its longer neighbour until none is left.
  for (;;) {
    let shortest = -1;
    for (let i = 0; i < runs.length; i++)
      if (runs.length > 1 && span(i) < minRunS && (shortest < 0 || span(i) < span(shortest))) shortest = i;
    if (shortest < 0) break;
    const left = shortest - 1;
    const right = shortest + 1;
    const into = right >= runs.length || (left >= 0 && span(left) >= span(right)) ? left : right;
    const merged = runs[into]!;
    const gone = runs[shortest]!;
    merged.first = Math.min(merged.first, gone.first);
    merged.last = Math.max(merged.last, gone.last);
    runs = runs.filter((_, i) => i !== shortest);
    // Neighbours with the same layout join up.
    runs = runs.reduce<typeof runs>((acc, run) => {
      const prev = acc[acc.length - 1];
      if (prev && prev.layout === run.layout) prev.last = run.last;
      else acc.push({ ...run });
      return acc;
    }, []);
  }
  return runs.map((run, i) => ({
    startS: i === 0 ? startS : round((runs[i - 1]!.last + run.first) / 2),
    endS: i === runs.length - 1 ? endS : round((run.last + runs[i + 1]!.first) / 2),
    layout: run.layout,
  }));
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * How different the picture inside box `a` of one RGB frame is from inside box `b` of another
 * (boxes as fractions of the frame), compared as small grayscale patches with each patch's mean
 * removed: ~0 for the same face moved or lit a little differently, ~1 or more when one patch holds
 * a face and the other a wall. It tells a followed face that is still there from one that left.
 */
export function patchDifference(
  a: { rgb: Uint8Array; box: { x: number; y: number; w: number; h: number } },
  b: { rgb: Uint8Array; box: { x: number; y: number; w: number; h: number } },
  width: number,
  height: number,
): number {
  const side = 16;
  const patch = (rgb: Uint8Array, box: { x: number; y: number; w: number; h: number }) => {
    const out = new Float64Array(side * side);
    for (let py = 0; py < side; py++) {
      const y = Math.min(height - 1, Math.max(0, Math.floor((box.y + ((py + 0.5) * box.h) / side) * height)));
      for (let px = 0; px < side; px++) {
        const x = Math.min(width - 1, Math.max(0, Math.floor((box.x + ((px + 0.5) * box.w) / side) * width)));
        const i = (y * width + x) * 3;
        out[py * side + px] = 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
      }
    }
    const mean = out.reduce((s, v) => s + v, 0) / out.length;
    return out.map((v) => v - mean);
  };
  const [p, q] = [patch(a.rgb, a.box), patch(b.rgb, b.box)];
  let diff = 0;
  let texture = 0;
  for (let i = 0; i < p.length; i++) {
    diff += Math.abs(p[i]! - q[i]!);
    texture += Math.abs(p[i]!);
  }
  return diff / Math.max(1, texture);
}

/**
 * Share of the pixels outside the given boxes (fractions of the frame, each widened by half its
 * size to cover hair and shoulders) that moved between two thumbnails: a person walking into a
 * shot whose faces are known moves pixels here; talking heads do not.
 */
export function movedOutside(a: Frame, b: Frame, boxes: { x: number; y: number; w: number; h: number }[]): number {
  const inside = (x: number, y: number) =>
    boxes.some(
      (box) =>
        x >= (box.x - box.w / 4) * a.width &&
        x < (box.x + (box.w * 5) / 4) * a.width &&
        y >= (box.y - box.h / 4) * a.height &&
        y < (box.y + (box.h * 5) / 4) * a.height,
    );
  let outside = 0;
  let moved = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (inside(x, y)) continue;
      outside += 1;
      const i = y * a.width + x;
      if (Math.abs((a.pixels[i] ?? 0) - (b.pixels[i] ?? 0)) > MOVING) moved += 1;
    }
  }
  return outside > 0 ? moved / outside : 0;
}
