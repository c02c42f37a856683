/**
 * The render from LAYOUT_DETECTIVE to DELIVERY (real activities, real ffmpeg) next to one plain
 * ffmpeg encode of the same reel: the same framing and the same cutaways in one command, same
 * encoder settings, no captions. Measured twice, without captions and with the default bold
 * captions, so the captions' own cost shows. CPU seconds count this process and every ffmpeg it
 * waited for (Linux: /proc/self/stat cutime + cstime). Nothing here asserts a speed.
 *
 * Alone: `npx tsx bench/render.ts` (writes nothing; prints the table).
 */
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

export interface RenderMeasurement {
  momentSeconds: number;
  /** What LAYOUT_DETECTIVE must read at least: the sampled frames' decode and the audio features. */
  layoutFloor: {
    frameDecode: { wallS: number; cpuS: number; frames: number };
    audioFeatures: { wallS: number; cpuS: number };
  };
  /** The face model's load and warm-up, once per worker process (not in the rows: see measureRender). */
  modelStart: { wallS: number; cpuS: number };
  source: string;
  cutaways: number;
  plain: { wallS: number; cpuS: number };
  pipeline: {
    captions: CaptionStyle;
    wallS: number;
    cpuS: number;
    wallRatio: number;
    cpuRatio: number;
    pictureEncodes: number;
    /** Chunks ASSEMBLY encoded the reel in (src/media/chunks.ts). */
    chunks: number;
    /** Wall and CPU seconds of each activity, in order. */
    stages: Record<string, { wallS: number; cpuS: number }>;
  }[];
  /** ASSEMBLY of the captioned reel again as one command: the chunks' cost is the difference. */
  assemblyOneCommand: { wallS: number; cpuS: number };
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

export async function measureRender(dir: string, momentSeconds = 30): Promise<RenderMeasurement> {
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

  const runPipeline = async (captions: CaptionStyle) => {
    const workspace = path.join(dir, 'runs', `reel-${captions}`);
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
  // reel's LAYOUT pays it): timed on its own, so both reels below are measured alike.
  const modelStart = await timed(() => loadFaceModel());
  const bare = await runPipeline('none');
  const captioned = await runPipeline('bold');
  // What the chunks cost: ASSEMBLY of the captioned reel once more, as one command.
  const oneCommand = createActivities({ config: { ...config, render: { chunkS: Number.MAX_SAFE_INTEGER } } });
  const unchunked = await timed(() =>
    call(oneCommand.assembleReel, {
      workspace: captioned.workspace,
      segmentPaths: [],
      audioPath: path.join(captioned.workspace, 'segments', 'moment-audio.m4a'),
      planPath: path.join(captioned.workspace, 'render-plan.json'),
      momentPath: path.join(captioned.workspace, 'moment.json'),
      clips,
    }),
  );
  // The plain encode: the same framed segments and the same cutaways, one ffmpeg command.
  const plan = JSON.parse(await readFile(path.join(bare.workspace, 'render-plan.json'), 'utf8'));
  const placed = planCutaways(clips, cues, window.startS, momentSeconds).placed;
  const plainOut = path.join(dir, 'plain.mp4');
  const plain = await timed(() =>
    renderReel(
      plan,
      {
        cutaways: placed.map((p) => ({
          path: p.path,
          startS: p.startS,
          durationS: p.durationS,
          fadeS: CUTAWAY_FADE_S,
        })),
        images: [],
      },
      momentAudio(plan),
      plainOut,
      config.encoding,
    ),
  );
  if (Math.abs((await probe(plainOut)).durationS - bare.result.assembled.durationS) > 0.1)
    throw new Error('the plain encode and the reel differ in length');
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
  const row = (captions: CaptionStyle, r: typeof bare) => ({
    captions,
    wallS: r.wallS,
    cpuS: r.cpuS,
    wallRatio: round(r.wallS / plain.wallS),
    cpuRatio: round(r.cpuS / plain.cpuS),
    pictureEncodes: r.pictureEncodes,
    chunks: r.chunks,
    stages: r.stages,
  });
  return {
    momentSeconds,
    source: `${(await probe(sample.video)).video?.width}x${(await probe(sample.video)).video?.height} side by side`,
    cutaways: placed.length,
    plain: { wallS: plain.wallS, cpuS: plain.cpuS },
    pipeline: [row('none', bare), row('bold', captioned)],
    assemblyOneCommand: { wallS: unchunked.wallS, cpuS: unchunked.cpuS },
    chunkS: config.render.chunkS,
    modelStart: { wallS: modelStart.wallS, cpuS: modelStart.cpuS },
    layoutFloor: {
      frameDecode: { wallS: frameDecode.wallS, cpuS: frameDecode.cpuS, frames: frameDecode.result.length },
      audioFeatures: { wallS: audioDecode.wallS, cpuS: audioDecode.cpuS },
    },
  };
}

export function renderTable(m: RenderMeasurement): string {
  return [
    `| render of a ${m.momentSeconds} s reel (${m.source}, ${m.cutaways} cutaways) | wall (s) | CPU (s) | wall ratio | CPU ratio | picture encodes |`,
    '|---|---|---|---|---|---|',
    `| one plain ffmpeg encode (same framing + cutaways, no captions) | ${m.plain.wallS} | ${m.plain.cpuS} | 1 | 1 | 1 |`,
    ...m.pipeline.map(
      (p) =>
        `| LAYOUT_DETECTIVE → DELIVERY, captions ${p.captions} | ${p.wallS} | ${p.cpuS} | ${p.wallRatio}x | ${p.cpuRatio}x | ${p.pictureEncodes} |`,
    ),
    `| … of which LAYOUT_DETECTIVE must read: the ${m.layoutFloor.frameDecode.frames} sampled frames (plain decode) | ${m.layoutFloor.frameDecode.wallS} | ${m.layoutFloor.frameDecode.cpuS} | | | |`,
    `| … and the moment's audio features | ${m.layoutFloor.audioFeatures.wallS} | ${m.layoutFloor.audioFeatures.cpuS} | | | |`,
    `| not in the rows: the face model's start, once per worker process (its first reel pays it) | ${m.modelStart.wallS} | ${m.modelStart.cpuS} | | | |`,
    ...m.pipeline.flatMap((p) =>
      Object.entries(p.stages).map(
        ([stage, t]) =>
          `| … ${stage} (captions ${p.captions}${stage === 'ASSEMBLY' ? `, ${p.chunks} chunks of ${m.chunkS} s` : ''}) | ${t.wallS} | ${t.cpuS} | ${round(t.wallS / m.plain.wallS)}x | ${round(t.cpuS / m.plain.cpuS)}x | |`,
      ),
    ),
    `| … ASSEMBLY (captions bold) again as one command, no chunks | ${m.assemblyOneCommand.wallS} | ${m.assemblyOneCommand.cpuS} | ${round(m.assemblyOneCommand.wallS / m.plain.wallS)}x | ${round(m.assemblyOneCommand.cpuS / m.plain.cpuS)}x | |`,
  ].join('\n');
}

const round = (n: number) => Math.round(n * 100) / 100;

if (require.main === module) {
  (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-render-'));
    const m = await measureRender(dir, Number(process.env.BENCH_RENDER_S ?? 30));
    console.log(JSON.stringify(m, null, 2));
    console.log(renderTable(m));
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
