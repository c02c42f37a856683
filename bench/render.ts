/**
 * The render from LAYOUT_DETECTIVE to DELIVERY (real activities, real ffmpeg) next to one plain
 * ffmpeg encode of the same reel: the same framing, the same cutaways and the same captions in one
 * command, same encoder settings (its audio copied from the file the render encoded, so the plain
 * encode pays no audio encode). Measured without captions and with the default bold captions, over
 * several rounds (BENCH_RENDER_ROUNDS, default 3), each ratio taken within a round. CPU seconds
 * count this process and every ffmpeg it waited for (Linux: /proc/self/stat cutime + cstime).
 * Nothing here asserts a speed.
 *
 * Alone: `npx tsx bench/render.ts` (writes nothing; prints the table). */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../src/activities';
import { loadConfig } from '../src/config';
import { generateSamplePodcast } from '../src/dev/samplePodcast';
import type { BrollClip } from '../src/domain/broll';
import type { CaptionStyle } from '../src/domain/render';
import { planCutaways } from '../src/domain/cutaways';
import type { Moment } from '../src/domain/reel';
import { CUTAWAY_FADE_S } from '../src/media/cutaways';
import { measureAudioFeatures } from '../src/media/audioFeatures';
import { loadFaceModel } from '../src/media/faceDetector';
import { frameSeries, probe } from '../src/media/ffmpeg';
import { DETECT_WIDTH, SAMPLE_INTERVAL_S } from '../src/media/layoutAnalysis';
import { momentAudio, renderReel } from '../src/media/finalRender';
import { renderPromptClip } from '../src/media/promptClip';

/** A figure measured once a round: its median, and the lowest and highest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Wall and CPU seconds (or ratios), each over the rounds. */
export interface Timing {
  wallS: Spread;
  cpuS: Spread;
}

export interface RenderMeasurement {
  momentSeconds: number;
  /**
   * Rounds measured. Each round renders everything below once, in an order that turns by one each
   * round, and its ratios are to that round's plain encode: this machine's speed drifts by ±10 %
   * from minute to minute, so a ratio of two figures taken apart says little.
   */
  rounds: number;
  /** What LAYOUT_DETECTIVE must read at least: the sampled frames' decode and the audio features. */
  layoutFloor: {
    frameDecode: { wallS: number; cpuS: number; frames: number };
    audioFeatures: { wallS: number; cpuS: number };
  };
  /** The face model's load and warm-up, once per worker process (not in the rows: see measureRender). */
  modelStart: { wallS: number; cpuS: number };
  source: string;
  cutaways: number;
  pipeline: {
    captions: CaptionStyle;
    /** One plain ffmpeg encode of the same reel: the same framing and cutaways, and these captions. */
    plain: Timing;
    wallS: Spread;
    cpuS: Spread;
    /** Each round's render over the same round's plain encode. */
    wallRatio: Spread;
    cpuRatio: Spread;
    pictureEncodes: number;
    /** Chunks ASSEMBLY encoded the reel in (src/media/chunks.ts). */
    chunks: number;
    /** Wall and CPU seconds of each activity, in order, and the medians of their ratios to the plain encode. */
    stages: Record<string, Timing & { wallRatio: number; cpuRatio: number }>;
  }[];
  chunkS: number;
}

const CLOCK_TICKS = 100;

/** CPU seconds used so far by this process and the children it waited for. */
async function cpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  // Fields after the command name (which sits in parentheses): utime is field 14, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  const self = process.cpuUsage();
  return children + (self.user + self.system) / 1e6;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; wallS: number; cpuS: number }> {
  const cpu0 = await cpuSeconds();
  const t0 = performance.now();
  const result = await work();
  return { result, wallS: round((performance.now() - t0) / 1000), cpuS: round((await cpuSeconds()) - cpu0) };
}

export async function measureRender(dir: string, momentSeconds = 30, rounds = 3): Promise<RenderMeasurement> {
  const config = loadConfig({
    RUNS_DIR: path.join(dir, 'runs'),
    OUTPUT_DIR: path.join(dir, 'output'),
    RENDER_CHUNK_S: process.env.RENDER_CHUNK_S,
  });
  const activities = createActivities({ config });
  const mock = new MockActivityEnvironment();
  const call = <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R>;
  const sample = await generateSamplePodcast({
    dir: path.join(dir, 'sample'),
    durationS: momentSeconds + 10,
    speech: false,
  });
  const window = { startS: 5, endS: 5 + momentSeconds };
  const cues = sample.cues.filter((c) => c.startS >= window.startS && c.endS <= window.endS);
  // Three B-roll clips anchored on three of the moment's lines, as a real run places them.
  const anchors = [0.15, 0.5, 0.8].map((f) =>
    cues[Math.floor(f * (cues.length - 1))]!.text.split(' ').slice(0, 4).join(' '),
  );
  const clips: BrollClip[] = [];
  for (const [i, anchor] of anchors.entries()) {
    const file = path.join(dir, `broll-${i}.mp4`);
    await renderPromptClip({ prompt: `clip ${i}`, durationS: 4, width: 720, height: 1264, output: file });
    clips.push({ key: `k_${i}`, path: file, narrativeAnchor: anchor, durationS: 4 });
  }

  const runPipeline = async (captions: CaptionStyle, round: number) => {
    // A workspace of its own each round: ASSEMBLY keeps what a workspace already holds.
    const workspace = path.join(dir, 'runs', `reel-${captions}-${round}`);
    await mkdir(workspace, { recursive: true });
    const momentPath = path.join(workspace, 'moment.json');
    const moment: Moment = { ...window, score: 1, breakdown: {}, cues };
    await writeFile(momentPath, JSON.stringify(moment));
    const assetsPath = path.join(workspace, 'publishing-assets.json');
    await writeFile(
      assetsPath,
      JSON.stringify({
        generator: 'bench',
        descriptions: ['one', 'two', 'three'],
        hashtags: ['#bench'],
        music_mood: 'calm',
        veo3_prompts: [],
      }),
    );
    // Each activity timed on its own too, so the table shows where the time over the plain encode goes.
    const stages: Record<string, { wallS: number; cpuS: number }> = {};
    const step = async <R>(name: string, work: () => Promise<R>): Promise<R> => {
      const { result, wallS, cpuS } = await timed(work);
      stages[name] = { wallS, cpuS };
      return result;
    };
    const measured = await timed(async () => {
      const layout = await step('LAYOUT_DETECTIVE', () =>
        call(activities.detectLayout, { workspace, source: sample.video, ...window }),
      );
      const prepared = await step('FFMPEG_ENGINEER', () =>
        call(activities.renderSegments, {
          workspace,
          source: sample.video,
          segments: layout.segments,
          momentPath,
          captions,
        }),
      );
      const assembled = await step('ASSEMBLY', () =>
        call(activities.assembleReel, { workspace, ...prepared, momentPath, clips }),
      );
      await step('DELIVERY', () =>
        call(activities.deliver, {
          workspace,
          workflowId: `bench-${captions}`,
          reelPath: assembled.reelPath,
          assetsPath,
          stages: [],
        }),
      );
      return { layout, assembled };
    });
    const record = JSON.parse(await readFile(path.join(workspace, 'render.json'), 'utf8')) as {
      pictureEncodes: number;
      chunks: { chunks: number };
    };
    return {
      ...measured,
      stages,
      workspace,
      moment,
      pictureEncodes: record.pictureEncodes,
      chunks: record.chunks.chunks,
    };
  };

  // A worker process starts the face model once, for every reel it analyses after (the first
  // reel's LAYOUT pays it): timed on its own, so every reel below is measured alike.
  const modelStart = await timed(() => loadFaceModel());
  const placed = planCutaways(clips, cues, window.startS, momentSeconds).placed;
  const cutaways = placed.map((p) => ({
    path: p.path,
    startS: p.startS,
    durationS: p.durationS,
    fadeS: CUTAWAY_FADE_S,
  }));
  type Run = Awaited<ReturnType<typeof runPipeline>>;
  const styles: CaptionStyle[] = ['none', 'bold'];
  const measured: { reel: Partial<Record<CaptionStyle, Run>>; plain: Partial<Record<CaptionStyle, Timed>> }[] = [];
  // The plain encode of a reel: its render plan's framing (and captions), the same cutaways, one ffmpeg command.
  const plainEncode = async (reel: Run, output: string) => {
    const plan = JSON.parse(await readFile(path.join(reel.workspace, 'render-plan.json'), 'utf8')) as Parameters<
      typeof renderReel
    >[0] & { audioPath: string; captions: { assPath?: string } };
    const captions = plan.captions.assPath ? { assPath: plan.captions.assPath } : {};
    const measuredPlain = await timed(() =>
      renderReel(plan, { cutaways, images: [], ...captions }, momentAudio(plan), output, config.encoding),
    );
    if (Math.abs((await probe(output)).durationS - reel.result.assembled.durationS) > 0.1)
      throw new Error('the plain encode and the reel differ in length');
    return measuredPlain;
  };
  for (let round = 0; round < rounds; round++) {
    const results: (typeof measured)[number] = { reel: {}, plain: {} };
    // A plain encode needs its reel's render plan: the first round renders the reels first, later
    // rounds turn the order so none of the four always goes first.
    const steps = styles.flatMap((captions) => [
      async () => {
        results.reel[captions] = await runPipeline(captions, round);
      },
      async () => {
        const reel = results.reel[captions] ?? measured[0]!.reel[captions]!;
        results.plain[captions] = await plainEncode(reel, path.join(dir, `plain-${captions}-${round}.mp4`));
      },
    ]);
    for (let k = 0; k < steps.length; k++) await steps[(k + round) % steps.length]!();
    measured.push(results);
  }
  // What LAYOUT_DETECTIVE cannot do without: decoding the frames it samples (as it does) and the
  // moment's audio for speech activity. The rest of its time is face detection and frame measures.
  const info = await probe(sample.video);
  const detectWidth = Math.min(DETECT_WIDTH, info.video!.width);
  const detectHeight = Math.round((detectWidth * info.video!.height) / info.video!.width / 2) * 2;
  const frameDecode = await timed(() =>
    frameSeries(sample.video, window.startS, momentSeconds, SAMPLE_INTERVAL_S, detectWidth, detectHeight, 'rgb24'),
  );
  const audioDecode = await timed(() =>
    measureAudioFeatures(sample.video, {
      stepS: SAMPLE_INTERVAL_S,
      window: { startS: window.startS, durationS: momentSeconds },
    }),
  );
  const row = (captions: CaptionStyle) => {
    const runs = measured.map((m) => m.reel[captions]!);
    const plains = measured.map((m) => m.plain[captions]!);
    const ratio = (of: (round: number) => Timed) => ({
      wallRatio: spread(plains.map((plain, round) => of(round).wallS / plain.wallS)),
      cpuRatio: spread(plains.map((plain, round) => of(round).cpuS / plain.cpuS)),
    });
    return {
      captions,
      plain: timing(plains),
      ...timing(runs),
      ...ratio((round) => runs[round]!),
      pictureEncodes: Math.max(...runs.map((r) => r.pictureEncodes)),
      chunks: runs[0]!.chunks,
      stages: Object.fromEntries(
        Object.keys(runs[0]!.stages).map((stage) => {
          const { wallRatio, cpuRatio } = ratio((round) => runs[round]!.stages[stage]!);
          return [
            stage,
            { ...timing(runs.map((r) => r.stages[stage]!)), wallRatio: wallRatio.median, cpuRatio: cpuRatio.median },
          ];
        }),
      ),
    };
  };
  return {
    momentSeconds,
    rounds,
    source: `${info.video?.width}x${info.video?.height} side by side`,
    cutaways: placed.length,
    pipeline: styles.map(row),
    chunkS: config.render.chunkS,
    modelStart: { wallS: modelStart.wallS, cpuS: modelStart.cpuS },
    layoutFloor: {
      frameDecode: { wallS: frameDecode.wallS, cpuS: frameDecode.cpuS, frames: frameDecode.result.length },
      audioFeatures: { wallS: audioDecode.wallS, cpuS: audioDecode.cpuS },
    },
  };
}

type Timed = { wallS: number; cpuS: number };

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!) };
}

function timing(runs: Timed[]): Timing {
  return { wallS: spread(runs.map((r) => r.wallS)), cpuS: spread(runs.map((r) => r.cpuS)) };
}

/** A spread as `median (min–max)`; one round prints its one figure. */
const shown = (s: Spread, unit = '') =>
  s.min === s.max ? `${s.median}${unit}` : `${s.median}${unit} (${s.min}–${s.max})`;

export function renderTable(m: RenderMeasurement): string {
  return [
    `| render of a ${m.momentSeconds} s reel (${m.source}, ${m.cutaways} cutaways); median (lowest–highest) of ${m.rounds} rounds, each ratio to its own round's plain encode | wall (s) | CPU (s) | wall ratio | CPU ratio | picture encodes |`,
    '|---|---|---|---|---|---|',
    ...m.pipeline.flatMap((p) => [
      `| one plain ffmpeg encode (same framing + cutaways), captions ${p.captions} | ${shown(p.plain.wallS)} | ${shown(p.plain.cpuS)} | 1 | 1 | 1 |`,
      `| LAYOUT_DETECTIVE → DELIVERY, captions ${p.captions} | ${shown(p.wallS)} | ${shown(p.cpuS)} | ${shown(p.wallRatio, 'x')} | ${shown(p.cpuRatio, 'x')} | ${p.pictureEncodes} |`,
      ...Object.entries(p.stages).map(
        ([stage, t]) =>
          `| … ${stage}${stage === 'ASSEMBLY' ? ` (${p.chunks} chunks of ${m.chunkS} s)` : ''} | ${shown(t.wallS)} | ${shown(t.cpuS)} | ${t.wallRatio}x | ${t.cpuRatio}x | |`,
      ),
    ]),
    `| what LAYOUT_DETECTIVE must read at least: the ${m.layoutFloor.frameDecode.frames} sampled frames (plain decode) | ${m.layoutFloor.frameDecode.wallS} | ${m.layoutFloor.frameDecode.cpuS} | | | |`,
    `| … and the moment's audio features | ${m.layoutFloor.audioFeatures.wallS} | ${m.layoutFloor.audioFeatures.cpuS} | | | |`,
    `| not in the rows: the face model's start, once per worker process (its first reel pays it) | ${m.modelStart.wallS} | ${m.modelStart.cpuS} | | | |`,
  ].join('\n');
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Rounds of the render measurement (BENCH_RENDER_ROUNDS, default 3). */
export const renderRounds = () => Math.max(1, Number(process.env.BENCH_RENDER_ROUNDS ?? 3));

if (require.main === module) {
  (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-render-'));
    const m = await measureRender(dir, Number(process.env.BENCH_RENDER_S ?? 30), renderRounds());
    console.log(JSON.stringify(m, null, 2));
    console.log(renderTable(m));
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
