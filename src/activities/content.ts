/** CONTENT: the publishing copy and B-roll prompts. */
import path from 'node:path';
import type { ContentResult, Moment } from '../domain/reel';
import { PublishingAssetsSchema } from '../domain/reel';
import { describeIssues } from '../domain/validation';
import { offlinePublishingAssets } from '../providers/offlineCopy';
import type { ActivityDeps } from './deps';
import { readJson, writeJsonAtomic } from './workspace';

export function createContentActivities({ config }: ActivityDeps) {
  return {
    /** CONTENT: publishing-assets.json, checked against its schema before the run moves on. */
    async writePublishingAssets(input: {
      workspace: string;
      momentPath: string;
      topic?: string;
      /** B-roll prompts to write (default: VEO3_CLIP_COUNT). */
      clips?: number;
    }): Promise<ContentResult> {
      const moment = await readJson<Moment>(input.momentPath);
      const assets = offlinePublishingAssets(moment, {
        topic: input.topic,
        maxPrompts: input.clips ?? config.veo3.clipCount,
      });
      const checked = PublishingAssetsSchema.safeParse(assets);
      if (!checked.success) throw new Error(`publishing assets failed their schema: ${describeIssues(checked.error)}`);
      const assetsPath = path.join(input.workspace, 'publishing-assets.json');
      await writeJsonAtomic(assetsPath, checked.data);
      return { assetsPath, veo3Prompts: checked.data.veo3_prompts };
    },
  };
}
