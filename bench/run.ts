/**
 * `npm run bench`: B-roll measurements on the real pipeline (real activities, ffmpeg, the real
 * @google/genai SDK against the local Veo server, a local Temporal dev server), 3 and 8 clips.
 * Numbers are measured side by side in one run and written to bench/results.json; nothing here
 * asserts a speed.
 *
 * - gate release latency: from the moment B-roll was ready for the gate (the later of "last clip
 *   resolved" and "gate started") to ASSEMBLY being scheduled, next to what the original design's
 *   jobs.json polling (5 s doubling to 30 s, from gate start) would have added in the same run;
 * - polls per clip (GET operation requests the provider saw);
 * - history events of the run and its B-roll child;
 * - share of B-roll generation time hidden behind LAYOUT_DETECTIVE + FFMPEG_ENGINEER;
 * - prompt to video: stitching by stream copy against a re-encode of the same clips;
 * - recovery: the worker running each stage SIGKILLed, seconds until a standby runs it (bench/recovery.ts);
 * - two hosts on one queue, 4 reels, one host killed mid-render and left down (bench/twoHosts.ts;
 *   BENCH_TWO_HOSTS_REELS=0 skips);
 * - a file read from another host the API's way, one read in flight against several (bench/hostFiles.ts);
 * - concurrency: 1, 4 and 8 reels at once on one worker (bench/concurrency.ts; BENCH_CONCURRENCY=0 skips).
 * - episodes of 3 and 6 clips against as many separate reels, and captions' encode cost (bench/episode.ts).
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startReel } from '../src/cli/runs';
import { loadConfig } from '../src/config';
import { startLocalTemporal } from '../src/dev/localTemporal';
import type { BrollJob } from '../src/domain/broll';
import type { Progress } from '../src/domain/progress';
import type { ReelResult } from '../src/domain/reel';
import { LocalVeoServer } from '../src/offlineVeo/server';
import { providersFor } from '../test/helpers/offlineVeo';
import { connectClient, connectWorker } from '../src/temporal/connection';
import { progressQuery } from '../src/workflows/definitions';
import { createWorker } from '../src/worker';
import type { LayoutMeasurement } from './layout';
import { layoutAgainstFloor, measureLayout } from './layout';
import type { BudgetMeasurement } from './budget';
import { measureBudget } from './budget';
import type { RenderMeasurement } from './render';
import { measureRender, renderRounds, renderTable } from './render';
import type { StitchMeasurement } from './stitch';
import { measureStitch } from './stitch';
import type { SpeechMeasurement } from './speech';
import { measureSpeech } from './speech';
import type { ConcurrencyMeasurement } from './concurrency';
import { concurrencyTable, measureConcurrency } from './concurrency';
import type { RecoveryMeasurement } from './recovery';
import type { TwoHostsMeasurement } from './twoHosts';
import { measureTwoHosts, twoHostsTable } from './twoHosts';
import type { HostFilesMeasurement } from './hostFiles';
import { hostFilesTable, measureHostFiles } from './hostFiles';
import { benchSample } from './standalone';
import { measureRecovery } from './recovery';
import type { CaptionsMeasurement, EpisodeMeasurement } from './episode';
import { EPISODE_COUNTS, EPISODE_MOMENT_S, episodeTables, measureCaptions, measureEpisodes } from './episode';
import type { TranscriptMeasurement } from './transcript';
import { measureTranscript } from './transcript';

/** Seconds each offline clip takes: long enough to outlast stages 5–6 of a 30 s reel, as real Veo does. */
const GENERATION_LATENCY_S = Number(process.env.BENCH_LATENCY_S ?? 12);
const CLIP_COUNTS = [3, 8];
/** Seconds of speech the speech-to-text measurement transcribes (0 skips it). */
const SPEECH_SECONDS = Number(process.env.BENCH_SPEECH_S ?? 600);

interface Measurement {
  clips: number;
  clipsDone: number;
  gateReleaseMs: number;
  originalDesignGateReleaseMs: number;
  pollsPerClip: number;
  historyEvents: { run: number; child: number; total: number };
  brollGenerationS: number;
  hiddenBehindStages56: number;
  runS: number;
}

async function historyEvents(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

/** When the original design's gate, polling jobs.json at 5, 10, 20, 30, 30… s from its start, would have seen `readyAt`. */
function originalPollerNotices(gateStartMs: number, readyAtMs: number): number {
  let t = gateStartMs;
  let interval = 5_000;
  while (t < readyAtMs) {
    t += interval;
    interval = Math.min(interval * 2, 30_000);
  }
  return t;
}

async function measure(
  clips: number,
  root: string,
  sample: string,
  address: string,
  client: Client,
): Promise<Measurement> {
  const dir = path.join(root, `clips-${clips}`);
  const veo = new LocalVeoServer({ stateDir: path.join(dir, 'veo'), latencyS: GENERATION_LATENCY_S });
  await veo.start();
  const config = loadConfig({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `bench-${clips}-${Date.now()}`,
    RUNS_DIR: path.join(dir, 'runs'),
    OUTPUT_DIR: path.join(dir, 'output'),
    FFMPEG_PRESET: 'ultrafast',
    VEO3_CLIP_COUNT: String(clips),
  });
  const providers = providersFor(veo, config);
  const worker = await createWorker({ connection: await connectWorker({ address }), config, providers });
  const started = Date.now();
  const { result, progress } = await worker.runUntil(async () => {
    const handle = await startReel(client, config.temporal.taskQueue, { source: sample, durationS: 30 });
    const result = (await handle.result()) as ReelResult;
    return { result, progress: (await handle.query(progressQuery)) as Progress };
  });
  const runS = (Date.now() - started) / 1000;
  await veo.stop();

  const run = await historyEvents(client, result.workflowId);
  const child = await historyEvents(client, `${result.workflowId}-broll`);
  const time = (event: (typeof run)[number]) =>
    Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
  const assemblyScheduled = run.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'assembleReel',
  );
  const childStarted = child[0];
  if (!assemblyScheduled || !childStarted) throw new Error('history is missing the events the bench measures');

  const jobs = JSON.parse(await readFile(path.join(result.workspace, 'veo3', 'jobs.json'), 'utf8')).jobs as BrollJob[];
  const lastResolvedMs = Math.max(...jobs.map((job) => Date.parse(job.updated_at)));
  const gateStartMs = Date.parse(progress.stages.find((s) => s.stage === 'VEO3_AWAIT')!.startedAt);
  const readyMs = Math.max(lastResolvedMs, gateStartMs);
  const stage = (name: string) => progress.stages.find((s) => s.stage === name)!;
  const stagesStart = Date.parse(stage('LAYOUT_DETECTIVE').startedAt);
  const stagesEnd = Date.parse(stage('FFMPEG_ENGINEER').startedAt) + (stage('FFMPEG_ENGINEER').durationMs ?? 0);
  const generationStart = time(childStarted);
  const overlap = Math.max(0, Math.min(lastResolvedMs, stagesEnd) - Math.max(generationStart, stagesStart));

  return {
    clips,
    clipsDone: jobs.filter((job) => job.status === 'done').length,
    gateReleaseMs: time(assemblyScheduled) - readyMs,
    originalDesignGateReleaseMs: originalPollerNotices(gateStartMs, readyMs) - readyMs,
    pollsPerClip: round(veo.stats.polls / clips),
    historyEvents: { run: run.length, child: child.length, total: run.length + child.length },
    brollGenerationS: round((lastResolvedMs - generationStart) / 1000),
    hiddenBehindStages56: round(overlap / Math.max(1, lastResolvedMs - generationStart)),
    runS: round(runS),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

function table(rows: Measurement[]): string {
  const lines = [
    '| clips | done | gate release (ms) | original design (ms) | ratio | polls/clip | history events (run + child) | B-roll time (s) | hidden behind 5–6 | run (s) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ratio = r.gateReleaseMs > 0 ? `${round(r.originalDesignGateReleaseMs / r.gateReleaseMs)}x` : '—';
    lines.push(
      `| ${r.clips} | ${r.clipsDone} | ${r.gateReleaseMs} | ${r.originalDesignGateReleaseMs} | ${ratio} | ${r.pollsPerClip} | ` +
        `${r.historyEvents.total} (${r.historyEvents.run} + ${r.historyEvents.child}) | ${r.brollGenerationS} | ${Math.round(r.hiddenBehindStages56 * 100)}% | ${r.runS} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = await mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-'));
  console.log(`bench workspace: ${root}; offline generation latency ${GENERATION_LATENCY_S} s per clip`);
  // First, so the process's peak memory is LAYOUT_DETECTIVE's own.
  console.log('measuring LAYOUT_DETECTIVE (face detection included) on a minute of 720p…');
  await mkdir(path.join(root, 'layout'), { recursive: true });
  const layout: LayoutMeasurement = await measureLayout(path.join(root, 'layout'));
  const sample = { video: await benchSample(path.join(root, 'sample')) };
  const server = await startLocalTemporal({ log: () => {} });
  const client = await connectClient({ address: server.address, namespace: 'default' });
  const rows: Measurement[] = [];
  let stitch: StitchMeasurement | undefined;
  let transcript: TranscriptMeasurement | undefined;
  let speech: SpeechMeasurement | undefined;
  let budget: BudgetMeasurement | undefined;
  let render: RenderMeasurement | undefined;
  let recovery: RecoveryMeasurement[] | undefined;
  let concurrency: ConcurrencyMeasurement | undefined;
  let twoHosts: TwoHostsMeasurement | undefined;
  let hostFiles: HostFilesMeasurement | undefined;
  let episodes: EpisodeMeasurement[] | undefined;
  let captions: CaptionsMeasurement | undefined;
  try {
    if (SPEECH_SECONDS > 0) {
      console.log(`measuring local speech-to-text on ${SPEECH_SECONDS / 60} min of espeak-ng speech…`);
      await mkdir(path.join(root, 'speech'), { recursive: true });
      speech = await measureSpeech(path.join(root, 'speech'), SPEECH_SECONDS);
    }
    console.log('measuring the budget ledgers per paid submission…');
    budget = await measureBudget(root, server.address, client, await connectWorker({ address: server.address }));
    console.log('measuring TRANSCRIPT on an hour of audio…');
    await mkdir(path.join(root, 'transcript'), { recursive: true });
    transcript = await measureTranscript(path.join(root, 'transcript'));
    console.log('measuring stream-copy stitching against a re-encode…');
    await mkdir(path.join(root, 'stitch'), { recursive: true });
    stitch = await measureStitch(path.join(root, 'stitch'));
    console.log('measuring the render (LAYOUT_DETECTIVE → DELIVERY) against one plain encode of the same reel…');
    await mkdir(path.join(root, 'render'), { recursive: true });
    render = await measureRender(path.join(root, 'render'), Number(process.env.BENCH_RENDER_S ?? 30), renderRounds());
    console.log("measuring captions' extra encode cost, then episodes of N clips against N separate reels…");
    captions = await measureCaptions(path.join(root, 'captions'));
    episodes = await measureEpisodes(
      path.join(root, 'episodes'),
      server.address,
      client,
      EPISODE_COUNTS,
      EPISODE_MOMENT_S,
    );
    for (const clips of CLIP_COUNTS) {
      console.log(`measuring a run with ${clips} clips…`);
      rows.push(await measure(clips, root, sample.video, server.address, client));
    }
    console.log('measuring recovery: SIGKILL the worker running each stage, a standby takes over…');
    recovery = await measureRecovery(path.join(root, 'recovery'), server.address, client, sample.video);
    const twoHostReels = Number(process.env.BENCH_TWO_HOSTS_REELS ?? 4);
    if (twoHostReels > 0) {
      console.log(`measuring two hosts on one queue, ${twoHostReels} reels, one host killed mid-render…`);
      twoHosts = await measureTwoHosts(
        path.join(root, 'two-hosts'),
        server.address,
        client,
        sample.video,
        twoHostReels,
      );
    }
    console.log("measuring a file read from another host through the API's reads…");
    hostFiles = await measureHostFiles(path.join(root, 'host-files'), server.address, client);
    const counts = (process.env.BENCH_CONCURRENCY ?? '1,4,8')
      .split(',')
      .map(Number)
      .filter((n) => n > 0);
    if (counts.length > 0) {
      console.log(`measuring ${counts.join(', ')} reels at once on one worker…`);
      await mkdir(path.join(root, 'concurrency'), { recursive: true });
      concurrency = await measureConcurrency(
        path.join(root, 'concurrency'),
        server.address,
        client,
        sample.video,
        counts,
      );
    }
  } finally {
    await client.connection.close();
    await server.stop();
  }
  const results = {
    measuredAt: new Date().toISOString(),
    generationLatencyS: GENERATION_LATENCY_S,
    broll: rows,
    stitch,
    transcript,
    layout,
    speech,
    budget,
    render,
    recovery,
    twoHosts,
    hostFiles,
    concurrency,
    episodes,
    captions,
  };
  await mkdir(path.resolve(__dirname), { recursive: true });
  await writeFile(path.resolve(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${table(rows)}\n`);
  if (stitch) {
    console.log('| stitch of | stream copy (ms) | re-encode (ms) | ratio | same duration |');
    console.log('|---|---|---|---|---|');
    console.log(
      `| ${stitch.clips} × ${stitch.clipSeconds} s clips | ${stitch.streamCopyMs} | ${stitch.reencodeMs} | ${stitch.speedup}x | ${stitch.durationsMatch} |`,
    );
  }
  if (transcript) {
    console.log(
      '\n| TRANSCRIPT on | plain decode (ms) | loudness + pitch (ms) | ratio | × real time | windows of cues scored (ms) | with emotion (ms) |',
    );
    console.log('|---|---|---|---|---|---|---|');
    console.log(
      `| ${transcript.audioSeconds / 60} min of AAC | ${transcript.decodeMs} | ${transcript.featuresMs} | ${transcript.featuresPerDecode}x | ${transcript.realTimeFactor}x | ${transcript.cues} cues: ${transcript.scoringMs} | ${transcript.scoringWithEmotionMs} |`,
    );
  }
  console.log(
    '\n| LAYOUT_DETECTIVE on | frames (detector / followed) | plain decode of the frames (ms) | analysis (ms) | ratio | CPU: decode → analysis (ms) | CPU ratio | ms per minute of moment | model load (ms) | RSS before → peak (MB) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${layout.momentSeconds} s, ${layout.source} | ${layout.framesSampled} (${layout.detectorFrames} / ${layout.followedFrames}) | ${layout.decodeMs} | ${layout.layoutMs} | ${layout.layoutPerDecode}x | ${layout.decodeCpuMs} → ${layout.layoutCpuMs} | ${layout.layoutCpuPerDecode}x | ${layout.layoutMsPerMinute} | ${layout.modelLoadMs} | ${layout.rssBeforeMb} → ${layout.peakRssMb} |`,
  );
  // The face model's own cost on the frames LAYOUT must look at: how close LAYOUT is to what it needs.
  console.log(`\n${layoutAgainstFloor(layout)}`);
  if (speech) {
    console.log(
      '\n| speech-to-text on | model | × real time | × real time from CPU time on idle cores | first chunk (s) | model load (s) | peak RSS (MiB) | cores |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${speech.audioSeconds / 60} min of espeak-ng (${speech.chunks} chunks, ${speech.words} words) | ${speech.model} int8 | ${speech.realTimeFactor}x | ${speech.idleRealTimeFactor}x (${speech.cpuS} CPU s) | ${speech.firstChunkS} | ${speech.loadS} | ${speech.peakRssMiB} | ${speech.cores} |`,
    );
  }
  if (budget) {
    console.log(
      '\n| budget ledgers | submitClip, capped (ms) | uncapped (ms) | overhead per submission (ms) | ledger events for 8 clips (day + run) | run history events added |',
    );
    console.log('|---|---|---|---|---|---|');
    console.log(
      `| run cap + daily cap | ${budget.cappedMs} | ${budget.uncappedMs} | ${budget.overheadPerSubmissionMs} | ${budget.ledgerEventsFor8Clips.daily} + ${budget.ledgerEventsFor8Clips.run} | ${budget.runHistoryEventsAdded} |`,
    );
  }
  if (render) console.log(`\n${renderTable(render)}`);
  if (episodes) console.log(`\n${episodeTables(episodes, captions)}`);
  if (recovery) {
    console.log(
      '\n| stage (SIGKILL of the worker running it) | activity | seconds to resume on the standby | attempt resumed | ffmpeg left running |',
    );
    console.log('|---|---|---|---|---|');
    for (const r of recovery) {
      console.log(
        `| ${r.stage} | ${r.activity ?? '—'} | ${r.recoveryS ?? 'finished before the kill'} | ${r.resumedAttempt ?? '—'} | ${r.orphanedFfmpeg} |`,
      );
    }
  }
  if (twoHosts) console.log(`\n${twoHostsTable(twoHosts)}`);
  if (hostFiles) console.log(`\n${hostFilesTable(hostFiles)}`);
  if (concurrency) console.log(`\n${concurrencyTable(concurrency)}`);
  console.log('\nwritten to bench/results.json');
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
