/** The QA gate activity: reads a stage's artifact and applies that stage's rules (src/domain/qaRules.ts). */
import { copyFile } from 'node:fs/promises';
import type { QaCheckInput, QaVerdict } from '../domain/qa';
import { canonicalArtifact } from '../domain/qa';
import {
  checkDirectives,
  checkEpisodeMoments,
  checkMoment,
  checkPublishingAssets,
  checkTranscript,
} from '../domain/qaRules';
import type { Cue, Moment } from '../domain/reel';
import { readJson } from './workspace';

async function readArtifact(file: string): Promise<unknown> {
  try {
    return await readJson<unknown>(file);
  } catch (err) {
    return { unreadable: (err as Error).message };
  }
}

export function createQaActivities() {
  return {
    async qaCheck(input: QaCheckInput): Promise<QaVerdict> {
      const artifact = await readArtifact(input.artifactPath);
      if (typeof artifact === 'object' && artifact !== null && 'unreadable' in artifact) {
        return { verdict: 'FAIL', score: 0, feedback: [`the artifact cannot be read: ${String(artifact.unreadable)}`] };
      }
      switch (input.stage) {
        case 'ROUTER':
          return checkDirectives(artifact, input.notes);
        case 'RESEARCH':
          return checkTranscript(
            artifact,
            { sourceDurationS: input.sourceDurationS, reworkable: input.reworkable },
            input.notes,
          );
        case 'TRANSCRIPT': {
          const { cues } = await readJson<{ cues: Cue[] }>(input.transcriptPath);
          return checkMoment(
            artifact,
            { transcript: cues, durationS: input.durationS, topic: input.topic },
            input.notes,
          );
        }
        case 'EPISODE_MOMENTS': {
          const { cues } = await readJson<{ cues: Cue[] }>(input.transcriptPath);
          return checkEpisodeMoments(
            artifact,
            { transcript: cues, durationS: input.durationS, topic: input.topic },
            input.notes,
          );
        }
        case 'CONTENT': {
          const moment = await readJson<Moment>(input.momentPath);
          return checkPublishingAssets(artifact, { moment, maxPrompts: input.maxPrompts }, input.notes);
        }
      }
    },

    /** Makes a kept attempt the artifact under its own name (`moment.attempt-2.json` → `moment.json`). */
    async keepArtifact(input: { artifactPath: string }): Promise<{ path: string }> {
      const target = canonicalArtifact(input.artifactPath);
      if (target !== input.artifactPath) await copyFile(input.artifactPath, target);
      return { path: target };
    },
  };
}
