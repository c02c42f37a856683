/**
 * `reelflow` — the thin CLI. Wiring only: commands parse options, call functions in src/cli/, and
 * print. Errors are one line on stderr and a non-zero exit.
 */
import { Command } from 'commander';
import {
  followRun,
  formatProgress,
  prepareReelRequest,
  prepareVideoRequest,
  readProgress,
  restitch,
  stageLogger,
  startReel,
  startVideo,
} from './cli/runs';
import { loadConfig } from './config';
import { connectClient } from './temporal/connection';

async function withClient<T>(
  action: (client: Awaited<ReturnType<typeof connectClient>>, config: ReturnType<typeof loadConfig>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config.temporal);
  try {
    return await action(client, config);
  } finally {
    await client.connection.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('reelflow').description('Durable short-video pipeline on Temporal').showHelpAfterError();

  program
    .command('reel')
    .description('start a reel run from a long source video; prints its workflow id')
    .argument('<source>', 'video file (with a .srt/.vtt next to it, or --transcript)')
    .option('--transcript <file>', 'transcript (.srt or .vtt)')
    .option('--topic <topic>', 'topic to focus the moment on')
    .option('--wait', 'follow the run and print the reel path when it finishes')
    .action(async (source: string, options: { transcript?: string; topic?: string; wait?: boolean }) => {
      const request = prepareReelRequest({ source, transcript: options.transcript, topic: options.topic });
      await withClient(async (client, config) => {
        const handle = await startReel(client, config.temporal.taskQueue, request);
        console.log(handle.workflowId);
        if (options.wait) {
          const result = await followRun<{ reelPath: string }>(
            handle,
            stageLogger((line) => console.error(line)),
          );
          console.log(result.reelPath);
        }
      });
    });

  program
    .command('generate')
    .description('start a prompt-to-video run; prints its workflow id')
    .argument('<prompt>', 'what the video shows')
    .option('--style <style>', 'visual style', 'cinematic')
    .option('--aspect-ratio <ratio>', '16:9 or 9:16', '16:9')
    .option('--clip-duration <seconds>', '4, 6 or 8', '8')
    .option('--scenes <count>', '1–15 (default: the storyboard decides)')
    .option('--crossfade <seconds>', '0 for hard cuts', '0')
    .option('--wait', 'follow the run and print the video path when it finishes')
    .action(
      async (
        prompt: string,
        o: {
          style: string;
          aspectRatio: string;
          clipDuration: string;
          scenes?: string;
          crossfade: string;
          wait?: boolean;
        },
      ) => {
        const request = prepareVideoRequest({
          prompt,
          style: o.style,
          aspectRatio: o.aspectRatio,
          clipDurationS: Number(o.clipDuration),
          ...(o.scenes === undefined ? {} : { sceneCount: Number(o.scenes) }),
          crossfadeS: Number(o.crossfade),
        });
        await withClient(async (client, config) => {
          const handle = await startVideo(client, config.temporal.taskQueue, request);
          console.log(handle.workflowId);
          if (o.wait) {
            const result = await followRun<{ videoPath: string }>(
              handle,
              stageLogger((line) => console.error(line)),
            );
            console.log(result.videoPath);
          }
        });
      },
    );

  program
    .command('stitch')
    .description(
      "stitch a finished video's clips again with another crossfade (generates nothing); prints the new path",
    )
    .argument('<id>', 'workflow id of a finished prompt-to-video run')
    .requiredOption('--crossfade <seconds>', 'crossfade in seconds (0 for hard cuts)')
    .action(async (id: string, o: { crossfade: string }) => {
      const crossfadeS = Number(o.crossfade);
      if (!Number.isFinite(crossfadeS) || crossfadeS < 0 || crossfadeS > 2)
        throw new Error('--crossfade: must be a number of seconds from 0 to 2');
      await withClient(async (client, config) =>
        console.log((await restitch(client, config.temporal.taskQueue, id, crossfadeS)).deliveredPath),
      );
    });

  program
    .command('status')
    .description("print a run's progress")
    .argument('<id>', 'workflow id')
    .action(async (id: string) => {
      await withClient(async (client) => console.log(formatProgress(await readProgress(client, id))));
    });

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    console.error(`reelflow: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void runCli(process.argv);
