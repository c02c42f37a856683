/** TRANSCRIPT and CONTENT: choose the moment, then write the publishing copy and B-roll prompts. */
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import { momentBounds, pickMoment } from '../domain/moment';
import type { ContentResult, Cue, Moment, TranscriptResult } from '../domain/reel';
import { PublishingAssetsSchema } from '../domain/reel';
import { describeIssues } from '../domain/validation';
import { offlinePublishingAssets } from '../providers/offlineCopy';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { readJson, writeJsonAtomic } from './workspace';

export function createStoryActivities({ config }: ActivityDeps) {
  return {
    /** TRANSCRIPT: the best window of the allowed length that starts on a cue and ends on a sentence. */
    async pickMoment(input: {
      workspace: string;
      transcriptPath: string;
      sourceDurationS: number;
      topic?: string;
      durationS?: number;
    }): Promise<TranscriptResult> {
      const { cues } = await readJson<{ cues: Cue[] }>(input.transcriptPath);
      const usable = cues.filter((cue) => cue.endS <= input.sourceDurationS + 0.5);
      const moment = pickMoment({ cues: usable, topic: input.topic, durationS: input.durationS });
      if (!moment) {
        const { minS, maxS } = momentBounds(input.durationS);
        const span = usable.length ? (usable[usable.length - 1]?.endS ?? 0) - (usable[0]?.startS ?? 0) : 0;
        throw failure(
          ErrorType.NO_MOMENT,
          `no ${minS}–${maxS} s window ending on a sentence in the transcript (${usable.length} cues over ${span.toFixed(0)} s)`,
        );
      }
      const momentPath = path.join(input.workspace, 'moment.json');
      await writeJsonAtomic(momentPath, moment);
      return { momentPath, startS: moment.startS, endS: moment.endS };
    },

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
