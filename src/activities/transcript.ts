/** TRANSCRIPT: choose the moment. */
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import { momentBounds, pickMoment } from '../domain/moment';
import type { Cue, TranscriptResult } from '../domain/reel';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { readJson, writeJsonAtomic } from './workspace';

export function createTranscriptActivities(_deps: ActivityDeps) {
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
  };
}
