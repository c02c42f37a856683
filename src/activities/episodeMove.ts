/**
 * An episode that moves to another host (src/workflows/episode.ts) keeps the moments it already
 * picked: they are in its history (window, rank, score, hook, reason), so the new host writes them
 * into its own workspace from its own transcript instead of picking (and paying a ranking model) again.
 */
import { failure } from './failures';
import path from 'node:path';
import type { EpisodeMoment, EpisodeMomentsResult } from '../domain/episode';
import { ErrorType } from '../domain/errors';
import { scoreWindow } from '../domain/moment';
import type { Cue, Moment } from '../domain/reel';
import { readJson, writeJsonAtomic } from './workspace';

/** Transcript times are rounded by their writers: a cue inside a window may overhang it by this much. */
const EDGE_S = 0.05;

export function createEpisodeMoveActivities() {
  return {
    /**
     * Writes the moments an episode picked on its lost host into this host's workspace, each as the
     * moment file a clip copies (its window's transcript lines, from this host's transcript) and all
     * of them as moments.json. A window with no transcript lines here fails naming its rank.
     */
    async restoreMoments(input: {
      workspace: string;
      transcriptPath: string;
      topic?: string;
      moments: Omit<EpisodeMoment, 'momentPath'>[];
    }): Promise<EpisodeMomentsResult> {
      const { cues } = await readJson<{ cues: Cue[] }>(input.transcriptPath);
      const restored: EpisodeMoment[] = [];
      const files: Moment[] = [];
      for (const picked of input.moments) {
        const inside = cues.filter((cue) => cue.startS >= picked.startS - EDGE_S && cue.endS <= picked.endS + EDGE_S);
        if (inside.length === 0) {
          throw failure(
            ErrorType.NO_MOMENT,
            `moment ${picked.rank} (${picked.startS}–${picked.endS} s) has no transcript lines on this host (${input.transcriptPath})`,
          );
        }
        const moment: Moment = {
          startS: picked.startS,
          endS: picked.endS,
          ...scoreWindow(inside, input.topic),
          cues: inside,
          ranking: {
            by: 'history',
            reason: 'picked before the episode moved to this host',
            candidates: input.moments.length,
          },
          hook: picked.hook,
          reason: picked.reason,
        };
        const momentPath = path.join(input.workspace, 'moments', `moment-${picked.rank}.json`);
        await writeJsonAtomic(momentPath, moment);
        files.push(moment);
        restored.push({ ...picked, momentPath });
      }
      const momentsPath = path.join(input.workspace, 'moments.json');
      await writeJsonAtomic(momentsPath, {
        moments: files.map((moment, i) => ({ ...moment, rank: restored[i]!.rank, percent: restored[i]!.score })),
      });
      return { momentsPath, moments: restored };
    },
  };
}
