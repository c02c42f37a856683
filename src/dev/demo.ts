/**
 * The demo (`npm run demo`, `reelflow demo`): a whole episode on the offline defaults. Generates a
 * sample podcast, starts (or reuses) a Temporal dev server and an in-process worker, cuts the
 * podcast's 3 best distinct moments into 3 captioned clips while printing each stage, prints the
 * episode's index.md (the ranked table), and the best clip's path on the last line.
 */
import { Runtime } from '@temporalio/worker';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { followRun, startEpisode, stageLogger } from '../cli/runs';
import { describeConfig, loadConfig } from '../config';
import type { RunningApi } from './apiServer';
import { startApi } from './apiServer';
import { reuseOrStartTemporal } from './demoEnvironment';
import { demoBadge } from './demoBadge';
import { generateSamplePodcast, sampleExists } from './samplePodcast';
import type { SpeechWorkerProcess } from './speechEnv';
import { ensureSpeechEnv, speechEnvReady, startSpeechWorker } from './speechEnv';
import { ensureSystemTools } from './systemTools';
import type { EpisodeResult } from '../domain/episode';
import { connectWorker } from '../temporal/connection';
import { createProviders } from '../providers';
import { createWorkers } from '../worker';
import { consoleLogger } from './consoleLogger';

const log = (line: string) => console.log(line);

/** What the demo asks for in plain words: ROUTER turns them into directives (badge.png sits next to the sample). */
const DEMO_INSTRUCTIONS = 'Focus on rate limits. Overlay badge.png at 0:01 for 3s. Make it energetic.';
/** Three clips of about 40 s: three distinct moments fit in the 3-minute sample. */
const DEMO_CLIPS = { count: 3, durationS: 40 };

export interface DemoOptions {
  /** false: the sample without its .srt, transcribed by the speech worker. */
  subtitles?: boolean;
}

export async function runDemo({ subtitles = true }: DemoOptions = {}): Promise<void> {
  // The demo prints its own story; the SDK only speaks up for warnings.
  Runtime.install({ logger: consoleLogger() });
  const config = loadConfig();
  const providerNames = describeConfig(config).providers as Record<string, string>;
  log(
    `reelflow demo — providers: ${Object.entries(providerNames)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  const { espeak } = await ensureSystemTools(log);

  const sampleDir = path.join(config.runsDir, '.samples');
  const video = path.join(sampleDir, 'podcast.mp4');
  if (await sampleExists(sampleDir)) {
    log(`Reusing the sample podcast at ${path.relative(process.cwd(), video)}`);
  } else {
    log(
      `Generating a 3-minute sample podcast (${espeak ? 'spoken by espeak-ng' : 'espeak-ng is not installed: tones stand in for speech'})…`,
    );
    await mkdir(sampleDir, { recursive: true });
    // 720p: a drawn sample gains nothing from 1080p, and drawing and encoding 3 minutes of 1080p was
    // a quarter of the demo's CPU time (68 of 279 s measured); the reels are 1080x1920 either way.
    await generateSamplePodcast({ dir: sampleDir, speech: espeak, width: 1280, height: 720 });
  }

  // Without subtitles: the same video in a folder of its own, with no .srt beside it.
  const source = subtitles ? video : path.join(sampleDir, 'no-subtitles', 'podcast.mp4');
  if (!subtitles) {
    await mkdir(path.dirname(source), { recursive: true });
    await copyFile(video, source);
    await ensureSpeechEnv(log);
  }
  await demoBadge(path.dirname(source), config.captions.font);

  const temporal = await reuseOrStartTemporal(config, log);
  // The studio watches the run live while the demo lasts; a busy port only costs the studio.
  const api: RunningApi | undefined = await startApi(temporal.client, config).catch((err: Error) => {
    log(`Studio: not started (${err.message}); set API_PORT to another port to have it`);
    return undefined;
  });
  if (api) log(`Studio: ${api.studioUrl} (open it to watch the run; it stops with the demo)`);
  // The speech worker starts beside the TypeScript worker (while that one is built) when it is
  // installed; without subtitles the run needs it, with them a failure to start is only reported.
  let speechLog = true;
  const speechStarting: Promise<SpeechWorkerProcess | undefined> =
    !subtitles || (await speechEnvReady())
      ? startSpeechWorker({
          address: temporal.address,
          namespace: config.temporal.namespace,
          taskQueue: config.speech.taskQueue,
          // Its chunk log shows while the run goes; nothing may follow the reel's path on the last line.
          ...(subtitles ? {} : { log: (line: string) => void (speechLog && log(`  ${line}`)) }),
        }).catch((err: unknown) => {
          if (!subtitles) throw err;
          log(`Speech worker not started (${err instanceof Error ? err.message : String(err)})`);
          return undefined;
        })
      : Promise.resolve(undefined);
  const providers = await createProviders(config);
  log(`Video provider: ${providers.video.name}`);
  const worker = await createWorkers({
    connection: await connectWorker({ address: temporal.address }),
    config,
    providers,
  });
  const speech = await speechStarting;
  if (speech) log(`Speech worker on task queue "${config.speech.taskQueue}"`);
  try {
    const result = await worker.runUntil(async () => {
      const handle = await startEpisode(temporal.client, config.temporal.taskQueue, {
        source,
        instructions: DEMO_INSTRUCTIONS,
        ...DEMO_CLIPS,
      });
      if (!subtitles) log('No subtitles: RESEARCH has the speech worker transcribe the sample (word timings)');
      log(`Instructions: ${DEMO_INSTRUCTIONS}`);
      log(`Started episode ${handle.workflowId}: the ${DEMO_CLIPS.count} best distinct moments, one clip each`);
      return followRun<EpisodeResult>(handle, stageLogger(log));
    });
    speechLog = false;
    log('');
    log((await readFile(result.indexPath, 'utf8')).trimEnd());
    log('');
    log(`Episode index: ${result.indexPath}`);
    const best = result.clips.find((clip) => clip.reelPath);
    if (!best?.reelPath) throw new Error(`no clip of ${result.workflowId} was delivered: see ${result.indexPath}`);
    log(
      `Best clip: ${best.workflowId} (score ${best.score}) — workspace ${path.join(config.runsDir, best.workflowId)}`,
    );
    log(best.reelPath);
  } finally {
    await api?.app.close();
    await speech?.stop();
    await providers.close();
    await temporal.client.connection.close();
    await temporal.server?.stop();
  }
}
