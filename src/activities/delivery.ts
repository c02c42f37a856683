/** DELIVERY and the events log: what leaves the workspace for people and tools that read files. */
import { appendFile, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DeliveryResult } from '../domain/reel';
import type { PipelineEvent } from '../domain/progress';
import type { ActivityDeps } from './deps';
import { workspaceDir } from './workspace';

export function createDeliveryActivities({ config }: ActivityDeps) {
  return {
    /** DELIVERY: the reel and its publishing assets into `<output dir>/<workflow id>/`. */
    async deliver(input: {
      workspace: string;
      workflowId: string;
      reelPath: string;
      assetsPath: string;
    }): Promise<DeliveryResult> {
      const outputDir = path.join(config.outputDir, path.basename(workspaceDir(config.runsDir, input.workflowId)));
      await mkdir(outputDir, { recursive: true });
      const reelPath = path.join(outputDir, 'reel.mp4');
      const assetsPath = path.join(outputDir, 'publishing-assets.json');
      await copyFile(input.reelPath, reelPath);
      await copyFile(input.assetsPath, assetsPath);
      return { outputDir, reelPath, assetsPath };
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
