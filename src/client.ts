/**
 * `reelflow` — the thin CLI. Wiring only: commands validate their options, call functions in
 * src/cli/ and src/dev/, and print (as text, or JSON with --json). Errors are one line on stderr
 * and a non-zero exit.
 */
import { accessSync, constants } from 'node:fs';
import { Command, Option } from 'commander';
import { describeProject } from './api/projects';
import { controlRun } from './cli/control';
import {
  callerDir,
  followRun,
  formatRuns,
  formatStatus,
  ListFiltersSchema,
  listRuns,
  prepareEpisodeRequest,
  prepareReelRequest,
  prepareVideoRequest,
  restitch,
  stageLogger,
  startEpisode,
  startReel,
  startVideo,
} from './cli/runs';
import type * as DemoModule from './dev/demo';
import type * as DevModule from './dev/dev';
import type { EpisodeResult } from './domain/episode';
import { DEFAULT_EPISODE_CLIPS, EPISODE_MAX_CLIPS, formatClipTable } from './domain/episode';
import { ASPECT_PRESETS, CAPTION_STYLES } from './domain/render';
import { UsageError } from './cli/usage';
import { watchRun } from './cli/watch';
import { loadConfig } from './config';
import type { CancelBrollOutcome, ResumeOutcome, RetryBrollOutcome } from './domain/control';
import { ControlName } from './domain/control';
import { formatEstimate } from './domain/cost';
import { parseWith } from './domain/validation';
import { VideoRequestSchema } from './domain/video';
import { estimateEpisodeRun, estimateReelRun, estimateVideoRun } from './pricing/estimate';
import { connectClient } from './temporal/connection';

type Config = ReturnType<typeof loadConfig>;
type TemporalClient = Awaited<ReturnType<typeof connectClient>>;

async function withClient<T>(action: (client: TemporalClient, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config.temporal);
  try {
    return await action(client, config);
  } finally {
    await client.connection.close();
  }
}

/** Prints `value` as JSON with --json, else the text `human(value)`. */
function out<T>(json: boolean | undefined, value: T, human: (v: T) => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : human(value));
}

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${name}: must be a number (got "${text}")`);
  return value;
}

const json = () => new Option('--json', 'print JSON');

interface ReelOptions {
  transcript?: string;
  transcribe?: string;
  topic?: string;
  instructions?: string;
  duration?: string;
  clips?: string;
  maxCost?: string;
  captions?: string;
  aspect?: string;
  hook?: boolean;
  host?: string;
}

/** The options `reel` and `estimate reel` share. */
function reelOptions(command: Command): Command {
  return command
    .argument('<source>', 'video file (with a .srt/.vtt next to it, or --transcript)')
    .option('--transcript <file>', 'transcript (.srt or .vtt)')
    .option(
      '--transcribe <who>',
      'speech-to-text by `local` (the speech worker) or `gemini`; local also replaces subtitles',
    )
    .option('--topic <topic>', 'topic to focus the moment on')
    .option('--instructions <text>', 'free-form directions')
    .option('--duration <seconds>', 'preferred reel length, 30–120 (default: 60–90)')
    .option(
      '--clips <count>',
      "B-roll cutaways per reel, for an episode per clip (the number of clips is --count); default: the worker's VEO3_CLIP_COUNT",
    )
    .option('--max-cost <usd>', 'the most this run may spend on paid clips (a clip over it is not submitted)')
    .option(
      '--host <id>',
      'run on this host only (its REELFLOW_HOST_ID), for a source only it can read; default: any host',
    );
}

function reelRequestFrom(source: string, o: ReelOptions) {
  return prepareReelRequest(
    {
      source,
      transcript: o.transcript,
      transcribe: o.transcribe,
      topic: o.topic,
      instructions: o.instructions,
      ...(o.duration === undefined ? {} : { durationS: number('--duration', o.duration) }),
      ...(o.clips === undefined ? {} : { clips: number('--clips', o.clips) }),
      ...(o.maxCost === undefined ? {} : { maxCostUsd: number('--max-cost', o.maxCost) }),
      ...(o.captions === undefined ? {} : { captions: o.captions }),
      ...(o.aspect === undefined ? {} : { aspect: o.aspect }),
      ...(o.hook ? { hook: true } : {}),
      ...(o.host === undefined ? {} : { host: o.host }),
    },
    callerDir(),
  );
}

/** How `reel` and `clips` render (src/domain/render.ts); estimates do not depend on them. */
function renderOptions(command: Command): Command {
  return command
    .option('--captions <style>', `burned-in captions: ${CAPTION_STYLES.join(', ')} (default bold)`)
    .option('--aspect <ratio>', `frame: ${Object.keys(ASPECT_PRESETS).join(', ')} (default 9:16)`)
    .option('--hook', "show the moment's hook line as a title over its first seconds");
}

interface GenerateOptions {
  style: string;
  aspectRatio: string;
  clipDuration: string;
  scenes?: string;
  crossfade: string;
  maxCost?: string;
}

/** The options `generate` and `estimate generate` share. */
function generateOptions(command: Command): Command {
  return command
    .argument('<prompt>', 'what the video shows')
    .option('--style <style>', 'visual style', 'cinematic')
    .option('--aspect-ratio <ratio>', '16:9 or 9:16', '16:9')
    .option('--clip-duration <seconds>', '4, 6 or 8', '8')
    .option('--scenes <count>', '1–15 (default: the storyboard decides)')
    .option('--crossfade <seconds>', '0 for hard cuts', '0')
    .option('--max-cost <usd>', 'the most this run may spend on paid clips (a clip over it is not submitted)')
    .option(
      '--host <id>',
      'run on this host only (its REELFLOW_HOST_ID), for a source only it can read; default: any host',
    );
}

function videoRequestFrom(prompt: string, o: GenerateOptions) {
  return prepareVideoRequest({
    prompt,
    style: o.style,
    aspectRatio: o.aspectRatio,
    clipDurationS: number('--clip-duration', o.clipDuration),
    ...(o.scenes === undefined ? {} : { sceneCount: number('--scenes', o.scenes) }),
    crossfadeS: number('--crossfade', o.crossfade),
    ...(o.maxCost === undefined ? {} : { maxCostUsd: number('--max-cost', o.maxCost) }),
  });
}

export function buildProgram(): Command {
  const program = new Command('reelflow')
    .description('Durable short-video pipeline on Temporal')
    // A mistyped option gets the error and a pointer to the command's help, not its whole usage.
    .showHelpAfterError("(add --help for the command's options)");

  renderOptions(
    reelOptions(
      program.command('reel').description('start a reel run from a long source video; prints its workflow id'),
    ),
  )
    .option('--wait', 'follow the run and print the reel path when it finishes')
    .addOption(json())
    .action(async (source: string, o: ReelOptions & { wait?: boolean; json?: boolean }) => {
      const request = reelRequestFrom(source, o);
      await withClient(async (client, config) => {
        const handle = await startReel(client, config.temporal.taskQueue, request);
        if (!o.wait) return out(o.json, { workflowId: handle.workflowId }, (v) => v.workflowId);
        if (!o.json) console.log(handle.workflowId);
        const result = await followRun<{ reelPath: string }>(
          handle,
          stageLogger((line) => console.error(line)),
        );
        out(o.json, { workflowId: handle.workflowId, ...result }, (v) => v.reelPath);
      });
    });

  renderOptions(
    reelOptions(
      program
        .command('clips')
        .description(
          'start an episode: the N best distinct moments of one source, one clip each; prints its workflow id',
        ),
    ),
  )
    .option('--count <n>', `how many clips, 1–${EPISODE_MAX_CLIPS} (default ${DEFAULT_EPISODE_CLIPS})`)
    .option('--wait', 'follow the episode and print its ranked table, then the best clip')
    .addOption(json())
    .action(
      async (
        source: string,
        o: ReelOptions & {
          count?: string;
          wait?: boolean;
          json?: boolean;
        },
      ) => {
        const request = prepareEpisodeRequest(
          {
            ...reelRequestFrom(source, o),
            ...(o.count === undefined ? {} : { count: number('--count', o.count) }),
          },
          callerDir(),
        );
        await withClient(async (client, config) => {
          const handle = await startEpisode(client, config.temporal.taskQueue, request);
          if (!o.wait) return out(o.json, { workflowId: handle.workflowId }, (v) => v.workflowId);
          if (!o.json) console.log(handle.workflowId);
          const result = await followRun<EpisodeResult>(
            handle,
            stageLogger((line) => console.error(line)),
          );
          out(o.json, result, (v) =>
            [
              formatClipTable(v.clips),
              `index: ${v.indexPath}`,
              ...v.clips
                .filter((c) => c.reelPath)
                .slice(0, 1)
                .map((c) => c.reelPath!),
            ].join('\n'),
          );
        });
      },
    );

  generateOptions(program.command('generate').description('start a prompt-to-video run; prints its workflow id'))
    .option('--wait', 'follow the run and print the video path when it finishes')
    .addOption(json())
    .action(async (prompt: string, o: GenerateOptions & { wait?: boolean; json?: boolean }) => {
      const request = videoRequestFrom(prompt, o);
      await withClient(async (client, config) => {
        const handle = await startVideo(client, config.temporal.taskQueue, request);
        if (!o.wait) return out(o.json, { workflowId: handle.workflowId }, (v) => v.workflowId);
        if (!o.json) console.log(handle.workflowId);
        const result = await followRun<{ videoPath: string }>(
          handle,
          stageLogger((line) => console.error(line)),
        );
        out(o.json, result, (v) => v.videoPath);
      });
    });

  // Estimates need no Temporal: this machine's settings (providers, models, clip count, prices).
  // They do not read the source, but a source that is not there is named now, not after paying for nothing.
  const readable = <R extends { source: string }>(request: R): R => {
    try {
      accessSync(request.source, constants.R_OK);
    } catch {
      throw new UsageError(`source not found or not readable: ${request.source}`);
    }
    return request;
  };
  const estimate = program
    .command('estimate')
    .description('print what a run would cost, per kind of call, before starting it (same options)');
  reelOptions(estimate.command('reel').description('estimate a reel run'))
    .addOption(json())
    .action((source: string, o: ReelOptions & { json?: boolean }) =>
      out(o.json, estimateReelRun(loadConfig(), readable(reelRequestFrom(source, o))), formatEstimate),
    );
  reelOptions(estimate.command('clips').description('estimate an episode: the source analysed once, N clips'))
    .option('--count <n>', `how many clips, 1–${EPISODE_MAX_CLIPS} (default ${DEFAULT_EPISODE_CLIPS})`)
    .addOption(json())
    .action((source: string, o: ReelOptions & { count?: string; json?: boolean }) =>
      out(
        o.json,
        estimateEpisodeRun(
          loadConfig(),
          readable(
            prepareEpisodeRequest(
              {
                ...reelRequestFrom(source, o),
                ...(o.count === undefined ? {} : { count: number('--count', o.count) }),
              },
              callerDir(),
            ),
          ),
        ),
        formatEstimate,
      ),
    );
  generateOptions(estimate.command('generate').description('estimate a prompt-to-video run'))
    .addOption(json())
    .action((prompt: string, o: GenerateOptions & { json?: boolean }) =>
      out(
        o.json,
        estimateVideoRun(loadConfig(), VideoRequestSchema.parse(videoRequestFrom(prompt, o))),
        formatEstimate,
      ),
    );

  program
    .command('status')
    .description("print a run's progress")
    .argument('<id>', 'workflow id')
    .addOption(json())
    .action(async (id: string, o: { json?: boolean }) => {
      await withClient(async (client) => out(o.json, await describeProject(client, id), formatStatus));
    });

  program
    .command('list')
    .description('list runs (Temporal visibility over the PipelineKind/PipelineStatus search attributes)')
    .option('--kind <kind>', 'reel, video, episode or clip')
    .option('--status <status>', 'RUNNING, FAILED, COMPLETED or CANCELLED')
    .option('--limit <n>', 'at most this many', '50')
    .addOption(json())
    .action(async (o: { kind?: string; status?: string; limit: string; json?: boolean }) => {
      const filters = parseWith(ListFiltersSchema, { kind: o.kind, status: o.status?.toUpperCase(), limit: o.limit });
      if (!filters.ok) throw new UsageError(filters.message);
      await withClient(async (client) => out(o.json, await listRuns(client, filters.value), formatRuns));
    });

  program
    .command('watch')
    .description("follow a run's stages and clips live until it ends")
    .argument('<id>', 'workflow id')
    .addOption(json())
    .action(async (id: string, o: { json?: boolean }) => {
      await withClient(async (client) => {
        await watchRun(client, id, {
          live: Boolean(process.stdout.isTTY),
          json: Boolean(o.json),
          write: (text) => process.stdout.write(text),
        });
      });
    });

  program
    .command('resume')
    .description('rerun the failed stage of a run (and what follows); refused unless the run waits for it')
    .argument('<id>', 'workflow id')
    .addOption(json())
    .action(async (id: string, o: { json?: boolean }) => {
      const outcome = await withClient((client) => controlRun(client, id, ControlName.RESUME));
      out(
        o.json,
        { workflowId: id, ...outcome },
        (v: ResumeOutcome & { workflowId: string }) => `${v.workflowId}: resuming ${v.stage} (attempt ${v.attempt})`,
      );
    });

  program
    .command('stitch')
    .description(
      "stitch a finished video's clips again with another crossfade (generates nothing); prints the new path",
    )
    .argument('<id>', 'workflow id of a finished prompt-to-video run')
    .requiredOption('--crossfade <seconds>', 'crossfade in seconds (0 for hard cuts)')
    .addOption(json())
    .action(async (id: string, o: { crossfade: string; json?: boolean }) => {
      const crossfadeS = number('--crossfade', o.crossfade)!;
      if (crossfadeS < 0 || crossfadeS > 2) throw new UsageError('--crossfade: must be from 0 to 2 seconds');
      await withClient(async (client, config) =>
        out(o.json, await restitch(client, config.temporal.taskQueue, id, crossfadeS), (v) => v.deliveredPath),
      );
    });

  const broll = program.command('broll').description("control a run's B-roll (or clip) generation");
  broll
    .command('retry')
    .description('resubmit the failed clips now; prints which were resubmitted (new generation) or polled again')
    .argument('<id>', 'workflow id of the run')
    .option('--clip <key...>', 'only these clips (idempotent keys, as `broll` lists them)')
    .option('--include-unknown', 'also resubmit clips whose submission is unknown (submit_unknown: may be paid twice)')
    .addOption(json())
    .action(async (id: string, o: { clip?: string[]; includeUnknown?: boolean; json?: boolean }) => {
      const outcome = await withClient((client) =>
        controlRun(client, id, ControlName.RETRY_BROLL, {
          ...(o.clip ? { keys: o.clip } : {}),
          ...(o.includeUnknown ? { includeUnknown: true } : {}),
        }),
      );
      out(o.json, { workflowId: id, ...outcome }, (v: RetryBrollOutcome) =>
        [
          `resubmitted: ${v.resubmitted.join(', ') || 'none'}`,
          ...(v.repolled.length ? [`polled again (no new generation): ${v.repolled.join(', ')}`] : []),
        ].join('\n'),
      );
    });
  broll
    .command('cancel')
    .description('stop generation; the run goes on with the clips that exist (prints them)')
    .argument('<id>', 'workflow id of the run')
    .addOption(json())
    .action(async (id: string, o: { json?: boolean }) => {
      const outcome = await withClient((client) => controlRun(client, id, ControlName.CANCEL_BROLL));
      out(o.json, { workflowId: id, ...outcome }, (v: CancelBrollOutcome) =>
        [
          `cancelled; the run goes on with ${v.used.length} clip(s)${v.used.length ? `: ${v.used.map((c) => c.key).join(', ')}` : ''}`,
          ...(v.stopped.length ? [`stopped: ${v.stopped.join(', ')}`] : []),
        ].join('\n'),
      );
    });

  program
    .command('dev')
    .description('dev server + worker + offline video server + HTTP API in one process; Ctrl-C stops all')
    .action(() => loadDev().runDev());

  program
    .command('demo')
    .description('an episode of 3 captioned clips from a generated sample podcast (offline)')
    .option('--no-subtitles', "drop the sample's .srt: the speech worker transcribes it")
    .action((o: { subtitles: boolean }) => loadDemo().runDemo({ subtitles: o.subtitles }));

  return program;
}

/** Request fields by the flag (or argument) a person typed for them on this CLI. */
const FLAG_OF: Record<string, string> = {
  source: '<source>',
  prompt: '<prompt>',
  transcript: '--transcript',
  transcribe: '--transcribe',
  topic: '--topic',
  instructions: '--instructions',
  durationS: '--duration',
  clips: '--clips',
  maxCostUsd: '--max-cost',
  count: '--count',
  captions: '--captions',
  aspect: '--aspect',
  hook: '--hook',
  style: '--style',
  aspectRatio: '--aspect-ratio',
  clipDurationS: '--clip-duration',
  sceneCount: '--scenes',
  crossfadeS: '--crossfade',
};

/*
 * `dev` and `demo` bring the worker, a Temporal server, the providers and the offline video server:
 * loaded only when those commands run, so every other command (each a process of its own: status,
 * list, resume…) starts ~1.5 CPU s sooner. A plain require, since tsx's CommonJS hook does not see
 * a dynamic import().
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const loadDev = () => require('./dev/dev') as typeof DevModule;
const loadDemo = () => require('./dev/demo') as typeof DemoModule;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * A request error as the CLI says it: the fields named by their flags (`--duration: Too big…`),
 * since the person typed flags; the API names the same fields as its JSON does.
 */
export function inFlags(message: string): string {
  const request = /^(invalid (?:reel|episode|video) request: )(.*)$/s.exec(message);
  if (!request) return message;
  const fields = request[2]!.replace(/(^|; )([A-Za-z]+)(?=: )/g, (_, sep: string, field: string) => {
    return `${sep}${FLAG_OF[field] ?? field}`;
  });
  return `${request[1]}${fields}`;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // Our own errors may carry a second line that says what to do next (the resume command).
    const message = err instanceof Error ? err.message : String(err);
    console.error(`reelflow: ${err instanceof UsageError ? inFlags(message) : message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void runCli(process.argv);
