/**
 * Steady crops: where a fixed-size window over the source sits over time, planned from where the
 * subject (the active speaker's face) is. Pure data in, data out, so the renderer only has to
 * follow the plan and the rules are tested without ffmpeg.
 *
 * The rules a viewer notices, each a setting:
 * - a dead zone: while the face stays this close to the crop's centre, the crop does not move
 *   (small head moves and detector wobble never shake the frame);
 * - a pan-speed limit: once the face leaves the dead zone the crop glides after it, never faster
 *   than `maxPanPerS`, and never turns back mid-pan (noise cannot make it wobble);
 * - a cut instead of a pan when the subject is far away (it jumped, or another speaker took over);
 * - a hold time: another speaker gets the frame only after the current one held it `holdS`;
 * - headroom: where the crop is shorter than the source, the eyes sit on its upper third.
 */

export interface CropSettings {
  /** Half-width of the dead zone, as a fraction of the crop's width. */
  deadZone: number;
  /** Fastest pan, as a fraction of the source width per second. */
  maxPanPerS: number;
  /** Seconds a speaker keeps the frame before another may take it. */
  holdS: number;
  /** A subject further than this (fraction of the source width) from the crop's centre is cut to. */
  cutBeyond: number;
  /** Crop height over the source height when the aspect allows it (1 = full height). */
  zoom: number;
}

export const DEFAULT_CROP_SETTINGS: CropSettings = {
  deadZone: 0.1,
  maxPanPerS: 0.12,
  holdS: 2.5,
  cutBeyond: 0.3,
  zoom: 1,
};

/** Output aspect ratios a reel can be framed to (width / height). */
export const ASPECTS = { '9:16': 9 / 16, '1:1': 1, '4:5': 4 / 5, '16:9': 16 / 9 } as const;
export type AspectName = keyof typeof ASPECTS;

/** Where the subject is at one sampled instant (source pixels), or null when no face was seen. */
export interface SubjectSample {
  t: number;
  subject: {
    /** Which tracked face this is: a change of id is a change of person. */
    id: number;
    cx: number;
    /** Height of the eyes, for headroom. */
    eyesY: number;
  } | null;
}

export interface CropKeyframe {
  /** Source seconds. */
  t: number;
  /** The crop's top-left corner, source pixels. */
  x: number;
  y: number;
}

/**
 * The plan: a window of `width`×`height` source pixels whose corner moves in straight lines between
 * keyframes and holds before the first and after the last. Two keyframes at the same `t` are a cut.
 */
export interface CropPlan {
  /** The source size the plan was made for. */
  sourceWidth: number;
  sourceHeight: number;
  width: number;
  height: number;
  keyframes: CropKeyframe[];
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/** The crop size for `aspect` (w/h) inside a `width`×`height` source at `zoom`, in even pixels. */
export function cropSize(width: number, height: number, aspect: number, zoom = 1): { width: number; height: number } {
  const h = Math.min(height / Math.max(1, zoom), width / aspect);
  return { width: even(Math.min(width, h * aspect)), height: even(h) };
}

/** The median of three neighbouring positions of the same subject: one odd detection never moves the crop. */
function despeckle(samples: SubjectSample[]): SubjectSample[] {
  return samples.map((sample, i) => {
    const s = sample.subject;
    if (!s) return sample;
    const near = [samples[i - 1]?.subject, s, samples[i + 1]?.subject].filter((n) => n?.id === s.id);
    if (near.length < 3) return sample;
    const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
    return {
      t: sample.t,
      subject: { id: s.id, cx: median(near.map((n) => n!.cx)), eyesY: median(near.map((n) => n!.eyesY)) },
    };
  });
}

/** One axis of the camera: holds inside the dead zone, pans at a bounded speed, never reverses mid-pan. */
class Axis {
  private direction = 0;
  constructor(
    public position: number,
    private readonly deadZone: number,
    private readonly maxStep: (dt: number) => number,
    private readonly settle: number,
  ) {}

  follow(target: number, dt: number): void {
    const offset = target - this.position;
    const sign = Math.sign(offset);
    if (this.direction === 0 && Math.abs(offset) > this.deadZone) this.direction = sign;
    if (this.direction === 0) return;
    if (sign !== this.direction || Math.abs(offset) <= this.settle) {
      this.direction = 0;
      return;
    }
    this.position += this.direction * Math.min(Math.abs(offset), this.maxStep(dt));
  }

  jump(target: number): void {
    this.position = target;
    this.direction = 0;
  }
}

/**
 * Plans the crop for `samples` (in time order) over a source of `sourceWidth`×`sourceHeight`.
 * With no subject at all the crop sits in the centre.
 */
export function planCrop(input: {
  samples: SubjectSample[];
  sourceWidth: number;
  sourceHeight: number;
  aspect: number;
  settings?: Partial<CropSettings>;
}): CropPlan {
  const settings = { ...DEFAULT_CROP_SETTINGS, ...input.settings };
  const W = input.sourceWidth;
  const H = input.sourceHeight;
  const size = { sourceWidth: W, sourceHeight: H, ...cropSize(W, H, input.aspect, settings.zoom) };
  // The crop's centre may only go where the window stays inside the source.
  const toX = (cx: number) => clamp(cx, size.width / 2, W - size.width / 2);
  // Eyes on the upper third of the crop.
  const toY = (eyesY: number) => clamp(eyesY + size.height / 6, size.height / 2, H - size.height / 2);
  const corner = (t: number, x: number, y: number): CropKeyframe => ({
    t: round(t),
    x: Math.round(x - size.width / 2),
    y: Math.round(y - size.height / 2),
  });

  const samples = despeckle(input.samples);
  const first = samples.find((s) => s.subject)?.subject;
  if (!first) return { ...size, keyframes: [corner(samples[0]?.t ?? 0, W / 2, H / 2)] };

  const maxStep = (dt: number) => settings.maxPanPerS * W * dt;
  const x = new Axis(toX(first.cx), settings.deadZone * size.width, maxStep, 0.005 * size.width);
  const y = new Axis(toY(first.eyesY), settings.deadZone * size.height, maxStep, 0.005 * size.height);
  let subjectId = first.id;
  const keyframes: CropKeyframe[] = [corner(samples[0]!.t, x.position, y.position)];
  let previousT = samples[0]!.t;
  for (const sample of samples.slice(1)) {
    const s = sample.subject;
    const dt = sample.t - previousT;
    if (s) {
      const targetX = toX(s.cx);
      const targetY = toY(s.eyesY);
      const far = Math.abs(targetX - x.position) > settings.cutBeyond * W;
      if (s.id !== subjectId || far) {
        // A cut, halfway between the last sample that saw the old framing and this one.
        const cutT = previousT + dt / 2;
        keyframes.push(corner(cutT, x.position, y.position));
        x.jump(targetX);
        y.jump(targetY);
        keyframes.push(corner(cutT, x.position, y.position));
        subjectId = s.id;
      } else {
        x.follow(targetX, dt);
        y.follow(targetY, dt);
      }
    }
    keyframes.push(corner(sample.t, x.position, y.position));
    previousT = sample.t;
  }
  return { ...size, keyframes: simplify(keyframes) };
}

/** Drops keyframes that lie on the straight line between their neighbours (holds and steady pans). */
function simplify(keyframes: CropKeyframe[]): CropKeyframe[] {
  const out: CropKeyframe[] = [];
  for (const k of keyframes) {
    const a = out[out.length - 2];
    const b = out[out.length - 1];
    if (a && b && a.t < b.t && b.t < k.t) {
      const f = (b.t - a.t) / (k.t - a.t);
      const onLine = (p: 'x' | 'y') => Math.abs(a[p] + (k[p] - a[p]) * f - b[p]) <= 1;
      if (onLine('x') && onLine('y')) out.pop();
    }
    out.push(k);
  }
  return out;
}

/** Where the plan puts the crop's corner at source time `t`. */
export function cropAt(plan: CropPlan, t: number): { x: number; y: number } {
  const k = plan.keyframes;
  if (k.length === 0) return { x: 0, y: 0 };
  if (t <= k[0]!.t) return { x: k[0]!.x, y: k[0]!.y };
  for (let i = 1; i < k.length; i++) {
    const a = k[i - 1]!;
    const b = k[i]!;
    if (t < b.t) {
      const f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1;
      return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
    }
  }
  const last = k[k.length - 1]!;
  return { x: last.x, y: last.y };
}

/**
 * Who has the frame at each sample: the active speaker once the current one has held it `holdS`,
 * otherwise the current one while visible; when the current one is gone, the active speaker or
 * else the biggest face at once. `active` is null where nobody is clearly speaking.
 */
export function chooseSubjects(
  samples: { t: number; visible: number[]; active: number | null }[],
  holdS: number,
): (number | null)[] {
  let current: number | null = null;
  let since = -Infinity;
  return samples.map((s) => {
    const stillHere = current !== null && s.visible.includes(current);
    if (!stillHere) {
      current = s.active ?? s.visible[0] ?? null;
      since = s.t;
    } else if (s.active !== null && s.active !== current && s.t - since >= holdS) {
      current = s.active;
      since = s.t;
    }
    return current;
  });
}

const round = (n: number) => Math.round(n * 1000) / 1000;
