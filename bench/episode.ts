/**
 * Episodes and captions, measured on the real pipeline (real activities and ffmpeg, offline
 * providers, no B-roll so only the pipeline's own work counts). Nothing here asserts a speed.
 *
 * - An episode of N clips on a 6-minute generated source, next to N separate `reel` runs of the
 *   same moments (each reel gets a transcript holding only its moment's cues, so it picks the
 *   same span — the spans are recorded to show it). Both sides run on one worker with the same
 *   settings and start at once, after one untimed warm-up reel; the reels each analyse the whole
 *   source again (ROUTER, RESEARCH, the audio measured for moment scoring), which the episode
 *   does once.
 * - Captions' extra encode cost: the ASSEMBLY encode (where captions are burned) of one reel,
 *   with captions `none` and `bold`, alternated, best of each.
 *
 * Alone: `npx tsx bench/episode.ts` (prints JSON and the tables, writes nothing).
 * BENCH_EPISODE_COUNTS (default "3,6"), BENCH_EPISODE_MOMENT_S (default 45).
 */
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createActivities } from '../src/activities';
import { startEpisode, startReel } from '../src/cli/runs';
import { loadConfig } from '../src/config';
import { generateSamplePodcast } from '../src/dev/samplePodcast';
import type { EpisodeResult } from '../src/domain/episode';
import type { CaptionStyle } from '../src/domain/render';
import type { Moment, ReelResult } from '../src/domain/reel';
import { formatSrt } from '../src/domain/subtitles';
import { LocalVeoServer } from '../src/offlineVeo/server';
import { providersFor } from '../test/helpers/offlineVeo';
import { connectWorker } from '../src/temporal/connection';
import { createWorker } from '../src/worker';
import { runAlone } from './standalone';

export interface EpisodeMeasurement {
  clips: number;
  sourceS: number;
  momentS: number;
  episodeS: number;
  reelsS: number;
  /** N reels' wall time over the episode's. */
  ratio: number;
  delivered: { episode: number; reels: number };
  /** Whether each reel cut the same span as the episode's clip of that rank. */
  sameSpans: boolean;
  spans: { episode: [number, number]; reel: [number, number] }[];
}

export interface CaptionsMeasurement {
  momentS: number;
  /** Best of the runs, seconds of the ASSEMBLY encode. */
  encodeS: { none: number; bold: number };
  ratio: number;
  runs: number;
}

const round = (n: number) => Math.round(n * 100) / 100;
const seconds = (t0: number) => round((performance.now() - t0) / 1000);

export async function measureEpisodes(
  root: string,
  address: string,
  client: Client,
  counts: number[],
  momentS = 45,
): Promise<EpisodeMeasurement[]> {
  const sample = await generateSamplePodcast({
    dir: path.join(root, 'sample'),
    durationS: 360,
    width: 640,
    height: 360,
    speech: false,
  });
  const veo = new LocalVeoServer({ stateDir: path.join(root, 'veo'), latencyS: 0 });
  await veo.start();
  const rows: EpisodeMeasurement[] = [];
  try {
    for (const count of counts) {
      const dir = path.join(root, `episode-${count}`);
      const config = loadConfig({
        TEMPORAL_ADDRESS: address,
        TEMPORAL_TASK_QUEUE: `bench-episode-${count}-${Date.now()}`,
        RUNS_DIR: path.join(dir, 'runs'),
        OUTPUT_DIR: path.join(dir, 'output'),
        FFMPEG_PRESET: 'ultrafast',
      });
      const providers = providersFor(veo, config);
      const worker = await createWorker({ connection: await connectWorker({ address }), config, providers });
      const row = await worker.runUntil(async () => {
        const queue = config.temporal.taskQueue;
        // Untimed: one reel first pays the worker's one-time costs (face model, first ffmpeg runs),
        // which would otherwise land on whichever side is measured first.
        await (await startReel(client, queue, { source: sample.video, durationS: momentS, clips: 0 })).result();
        let t0 = performance.now();
        const episode = (await (
          await startEpisode(client, queue, { source: sample.video, count, durationS: momentS, clips: 0 })
        ).result()) as EpisodeResult;
        const episodeS = seconds(t0);
        // Each reel reads a transcript of its own moment only, so it cuts the same span.
        const transcripts = await Promise.all(
          episode.clips.map(async (clip) => {
            const file = path.join(dir, `moment-${clip.rank}.srt`);
            await writeFile(file, formatSrt(sample.cues.filter((c) => c.startS >= clip.startS && c.endS <= clip.endS)));
            return file;
          }),
        );
        t0 = performance.now();
        const reels = await Promise.all(
          transcripts.map(async (transcript) =>
            (
              await startReel(client, queue, { source: sample.video, transcript, durationS: momentS, clips: 0 })
            ).result(),
          ),
        );
        const reelsS = seconds(t0);
        const spans = await Promise.all(
          episode.clips.map(async (clip, i) => {
            const reel = reels[i] as ReelResult;
            const moment = JSON.parse(await readFile(path.join(reel.workspace, 'moment.json'), 'utf8')) as Moment;
            return {
              episode: [clip.startS, clip.endS] as [number, number],
              reel: [moment.startS, moment.endS] as [number, number],
            };
          }),
        );
        return {
          clips: count,
          sourceS: sample.durationS,
          momentS,
          episodeS,
          reelsS,
          ratio: round(reelsS / episodeS),
          delivered: {
            episode: episode.clips.filter((c) => c.status === 'delivered').length,
            reels: reels.length,
          },
          sameSpans: spans.every((s) => s.episode[0] === s.reel[0] && s.episode[1] === s.reel[1]),
          spans,
        };
      });
      rows.push(row);
    }
  } finally {
    await veo.stop();
  }
  return rows;
}

export async function measureCaptions(dir: string, momentS = 30, runs = 2): Promise<CaptionsMeasurement> {
  const config = loadConfig({ RUNS_DIR: path.join(dir, 'runs'), OUTPUT_DIR: path.join(dir, 'output') });
  const activities = createActivities({ config });
  const mock = new MockActivityEnvironment();
  const call = <A, R>(fn: (input: A) => Promise<R>, input: A) => mock.run(fn, input) as Promise<R>;
  const sample = await generateSamplePodcast({ dir: path.join(dir, 'sample'), durationS: momentS + 10, speech: false });
  const window = { startS: 5, endS: 5 + momentS };
  const cues = sample.cues.filter((c) => c.startS >= window.startS && c.endS <= window.endS);
  const prepare = async (captions: CaptionStyle) => {
    const workspace = path.join(dir, 'runs', `captions-${captions}`);
    await mkdir(workspace, { recursive: true });
    const momentPath = path.join(workspace, 'moment.json');
    await writeFile(momentPath, JSON.stringify({ ...window, score: 1, breakdown: {}, cues }));
    const layout = await call(activities.detectLayout, { workspace, source: sample.video, ...window });
    const prepared = await call(activities.renderSegments, {
      workspace,
      source: sample.video,
      segments: layout.segments,
      momentPath,
      captions,
    });
    return { workspace, momentPath, prepared };
  };
  const styles: CaptionStyle[] = ['none', 'bold'];
  const plans = await Promise.all(styles.map(prepare));
  const best: Record<string, number> = {};
  // Alternated, best of each: the machine's other load hits both sides alike.
  for (let i = 0; i < runs; i++) {
    for (const [s, style] of styles.entries()) {
      const { workspace, momentPath, prepared } = plans[s]!;
      const t0 = performance.now();
      await call(activities.assembleReel, { workspace, ...prepared, momentPath, clips: [] });
      best[style] = Math.min(best[style] ?? Infinity, seconds(t0));
    }
  }
  const encodeS = { none: best.none!, bold: best.bold! };
  return { momentS, encodeS, ratio: round(encodeS.bold / encodeS.none), runs };
}

export function episodeTables(rows: EpisodeMeasurement[], captions?: CaptionsMeasurement): string {
  const lines = [
    '| episode on a 6 min source | moment (s) | episode wall (s) | N separate reels wall (s) | ratio | delivered (episode / reels) | same spans |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| N = ${r.clips} | ${r.momentS} | ${r.episodeS} | ${r.reelsS} | ${r.ratio}x | ${r.delivered.episode} / ${r.delivered.reels} | ${r.sameSpans} |`,
    ),
  ];
  if (captions) {
    lines.push(
      '',
      `| ASSEMBLY encode of a ${captions.momentS} s reel (best of ${captions.runs}) | captions none (s) | captions bold (s) | ratio |`,
      '|---|---|---|---|',
      `| one encode | ${captions.encodeS.none} | ${captions.encodeS.bold} | ${captions.ratio}x |`,
    );
  }
  return lines.join('\n');
}

export const EPISODE_COUNTS = (process.env.BENCH_EPISODE_COUNTS ?? '3,6').split(',').map(Number);
export const EPISODE_MOMENT_S = Number(process.env.BENCH_EPISODE_MOMENT_S ?? 45);

if (require.main === module) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runAlone('episode', async ({ dir, address, client }) => {
    const captions = await measureCaptions(path.join(dir, 'captions'));
    console.log(JSON.stringify(captions));
    const rows = await measureEpisodes(dir, address, client, EPISODE_COUNTS, EPISODE_MOMENT_S);
    console.log(JSON.stringify(rows, null, 2));
    console.log(episodeTables(rows, captions));
  });
}
