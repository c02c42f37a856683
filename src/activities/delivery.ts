/** DELIVERY and the events log: what leaves the workspace for people and tools that read files. */
import { Context } from '@temporalio/activity';
import { appendFile, copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunCost } from '../domain/cost';
import { costOf } from '../domain/episode';
import type { HostChange, PipelineEvent } from '../domain/progress';
import type { DeliveryResult, Moment, PublishingAssets, StageTiming, WebhookOutcome } from '../domain/reel';
import type { SummaryInput } from '../domain/summary';
import { formatSummary } from '../domain/summary';
import { probe } from '../media/ffmpeg';
import type { ActivityDeps } from './deps';
import { clipOutputDir, episodeClipOf, recordClipDelivery } from './episode';
import { workspaceDir } from './workspace';

const WEBHOOK_ATTEMPTS = 3;
const WEBHOOK_TIMEOUT_MS = 5_000;

async function readJsonIfThere<T>(file: string): Promise<T | undefined> {
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as T,
    () => undefined,
  );
}

/** POSTs `body` with a few bounded tries; reports what happened instead of throwing. */
export async function notifyWebhook(url: string, body: unknown, backoffMs = 1_000): Promise<WebhookOutcome> {
  let error = '';
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      if (response.ok) return { status: 'sent', attempts: attempt };
      error = `HTTP ${response.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    if (attempt < WEBHOOK_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, backoffMs * attempt));
  }
  return { status: 'failed', attempts: WEBHOOK_ATTEMPTS, error };
}

export function createDeliveryActivities({ config }: ActivityDeps) {
  return {
    /**
     * DELIVERY: reel.mp4, publishing-assets.json and summary.md into `<output dir>/<workflow id>/`,
     * then an optional webhook notice (bounded retries; a failure is reported, never fatal).
     */
    async deliver(input: {
      workspace: string;
      workflowId: string;
      reelPath: string;
      assetsPath: string;
      stages: StageTiming[];
      /** The run's estimate and metered calls (from its progress). */
      cost?: RunCost;
      /** Moves to another host after a host was lost (from its progress). */
      hostChanges?: HostChange[];
    }): Promise<DeliveryResult> {
      // An episode's clip delivers inside its episode's folder (output/<episode id>/clip-<rank>/).
      const clip = await episodeClipOf(input.workspace);
      const outputDir = clip
        ? clipOutputDir(config, clip)
        : path.join(config.outputDir, path.basename(workspaceDir(config.runsDir, input.workflowId)));
      await mkdir(outputDir, { recursive: true });
      const reelPath = path.join(outputDir, 'reel.mp4');
      const assetsPath = path.join(outputDir, 'publishing-assets.json');
      const summaryPath = path.join(outputDir, 'summary.md');
      // Written under a temporary name and renamed: a reader never sees a half-written file.
      const deliver = async (from: string, to: string) => {
        await copyFile(from, `${to}.partial`);
        await rename(`${to}.partial`, to);
      };
      const writeWhole = async (to: string, text: string) => {
        await writeFile(`${to}.partial`, text);
        await rename(`${to}.partial`, to);
      };
      await deliver(input.reelPath, reelPath);
      await deliver(input.assetsPath, assetsPath);
      // Caption files (reel-relative times) travel with the reel when the render wrote them.
      for (const name of ['reel.srt', 'reel.vtt']) {
        const from = path.join(path.dirname(input.reelPath), name);
        await deliver(from, path.join(outputDir, name)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }

      const moment = await readJsonIfThere<Moment>(path.join(input.workspace, 'moment.json'));
      const layout = await readJsonIfThere<{ segments: SummaryInput['segments'] }>(
        path.join(input.workspace, 'layout.json'),
      );
      const assets = await readJsonIfThere<PublishingAssets>(input.assetsPath);
      const placements = await readJsonIfThere<SummaryInput['placements']>(
        path.join(input.workspace, 'broll-placements.json'),
      );
      const delivered = await probe(reelPath);
      const reelDurationS = delivered.durationS;
      if (moment && layout && assets) {
        await writeWhole(
          summaryPath,
          formatSummary({
            workflowId: input.workflowId,
            reelDurationS,
            ...(delivered.video ? { frame: { width: delivered.video.width, height: delivered.video.height } } : {}),
            moment,
            segments: layout.segments,
            assets,
            stages: input.stages,
            ...(placements ? { placements } : {}),
            ...(input.cost ? { cost: input.cost } : {}),
            ...(input.hostChanges ? { hostChanges: input.hostChanges } : {}),
          }),
        );
      } else {
        await writeWhole(summaryPath, `# ${input.workflowId}\n\nReel: ${reelDurationS.toFixed(1)} s.\n`);
      }

      if (clip) {
        const costUsd = costOf(input.cost);
        await recordClipDelivery(config, clip, {
          rank: clip.rank,
          workflowId: input.workflowId,
          reelPath,
          durationS: reelDurationS,
          ...(costUsd !== undefined ? { costUsd } : {}),
        });
      }
      Context.current().heartbeat();
      const webhook = config.webhookUrl
        ? await notifyWebhook(config.webhookUrl, {
            event: 'reel.delivered',
            workflowId: input.workflowId,
            reelPath,
            assetsPath,
            summaryPath,
            durationS: reelDurationS,
          })
        : { status: 'not_configured' as const, attempts: 0 };
      return { outputDir, reelPath, assetsPath, summaryPath, webhook };
    },

    /** Appends pipeline events to the run's events.jsonl, one JSON object a line. */
    async appendEvents(input: { workflowId: string; events: PipelineEvent[] }): Promise<void> {
      const dir = workspaceDir(config.runsDir, input.workflowId);
      await mkdir(dir, { recursive: true });
      await appendFile(
        path.join(dir, 'events.jsonl'),
        input.events.map((event) => `${JSON.stringify(event)}\n`).join(''),
      );
    },
  };
}
