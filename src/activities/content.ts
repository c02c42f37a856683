/** CONTENT: the publishing copy and B-roll prompts. */
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import { artifactName } from '../domain/qa';
import type { ContentResult, Moment, PublishingAssets } from '../domain/reel';
import { PublishingAssetsSchema } from '../domain/reel';
import { describeIssues } from '../domain/validation';
import { ProviderError } from '../providers/errors';
import { offlinePublishingAssets } from '../providers/offlineCopy';
import type { CopyRequest, TextModel } from '../providers/text/types';
import type { ActivityDeps } from './deps';
import { asFailure, failure } from './failures';
import { readJson, writeJsonAtomic } from './workspace';

/**
 * The text model's copy, or the offline templates when its answer was malformed: the stage still
 * produces an artifact, and the note tells the QA gate to ask the model again (with feedback)
 * instead of failing the run over one bad answer. A blocked request is not caught: asking the same
 * thing again cannot help.
 */
async function copyFrom(
  text: TextModel,
  moment: Moment,
  request: CopyRequest,
): Promise<{ assets: PublishingAssets; notes?: string[] }> {
  try {
    return { assets: await text.publishingAssets(moment, request) };
  } catch (err) {
    if (!(err instanceof ProviderError) || err.type !== ErrorType.MODEL_OUTPUT_INVALID) throw err;
    return {
      assets: offlinePublishingAssets(moment, request),
      notes: [`the model's answer was malformed: ${err.message}; used the offline templates`],
    };
  }
}

export function createContentActivities({ providers }: ActivityDeps) {
  return {
    /**
     * CONTENT: publishing-assets.json, checked against its schema before the run moves on. A rework
     * (attempt N ≥ 2) writes publishing-assets.attempt-N.json, so the QA gate can still keep an
     * earlier attempt.
     */
    async writePublishingAssets(input: {
      workspace: string;
      momentPath: string;
      topic?: string;
      /** B-roll prompts to write (the run's clip count, decided by ROUTER). */
      clips: number;
      /** ROUTER's narrative override. */
      narrative?: CopyRequest['narrative'];
      /** 1-based; see ReworkRequest in src/domain/qa.ts. */
      attempt?: number;
      /** The QA gate's feedback on the previous attempt. */
      feedback?: string[];
    }): Promise<ContentResult> {
      const attempt = input.attempt ?? 1;
      if (!Number.isInteger(attempt) || attempt < 1)
        throw failure(ErrorType.INVALID_REQUEST, `attempt must be a whole number from 1 up, got ${attempt}`);
      const moment = await readJson<Moment>(input.momentPath);
      const request: CopyRequest = {
        maxPrompts: input.clips,
        ...(input.topic ? { topic: input.topic } : {}),
        ...(input.narrative ? { narrative: input.narrative } : {}),
        feedback: input.feedback ?? [],
      };
      // Without injected providers (plain activity tests, older workers) the offline templates write the copy.
      const text = providers?.text;
      const { assets, notes } = text
        ? await asFailure(() => copyFrom(text, moment, request))
        : { assets: offlinePublishingAssets(moment, request), notes: undefined };
      const checked = PublishingAssetsSchema.safeParse(assets);
      if (!checked.success) throw new Error(`publishing assets failed their schema: ${describeIssues(checked.error)}`);
      const assetsPath = path.join(input.workspace, artifactName('publishing-assets.json', attempt));
      await writeJsonAtomic(assetsPath, checked.data);
      return {
        assetsPath,
        veo3Prompts: checked.data.veo3_prompts,
        generator: checked.data.generator,
        ...(notes ? { notes } : {}),
      };
    },
  };
}
