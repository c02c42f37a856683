/** Episodes: the settings an episode follows, each clip's workspace, and the ranked index. */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EpisodeClip } from '../domain/episode';
import { formatEpisodeIndex } from '../domain/episode';
import type { ActivityDeps } from './deps';
import { workspaceDir, writeJsonAtomic } from './workspace';

export function createEpisodeActivities({ config }: ActivityDeps) {
  return {
    /** The worker's episode settings, recorded in history so a replay sees the same numbers. */
    async episodeSettings(): Promise<{ parallelClips: number }> {
      return { parallelClips: config.episode.parallelClips };
    },

    /** A clip's own workspace, holding its moment as moment.json (what CONTENT and DELIVERY read). */
    async prepareClip(input: {
      workflowId: string;
      episodeId: string;
      rank: number;
      momentPath: string;
    }): Promise<{ workspace: string; momentPath: string }> {
      const workspace = workspaceDir(config.runsDir, input.workflowId);
      await mkdir(workspace, { recursive: true });
      const momentPath = path.join(workspace, 'moment.json');
      await copyFile(input.momentPath, momentPath);
      await writeJsonAtomic(path.join(workspace, 'request.json'), {
        episodeId: input.episodeId,
        rank: input.rank,
        momentPath: input.momentPath,
      });
      return { workspace, momentPath };
    },

    /** output/<episode id>/index.md and index.json: the ranked table, best first. */
    async writeEpisodeIndex(input: {
      workflowId: string;
      source: string;
      clips: EpisodeClip[];
    }): Promise<{ indexPath: string; indexJsonPath: string }> {
      const outputDir = path.join(config.outputDir, path.basename(workspaceDir(config.runsDir, input.workflowId)));
      await mkdir(outputDir, { recursive: true });
      const indexPath = path.join(outputDir, 'index.md');
      const indexJsonPath = path.join(outputDir, 'index.json');
      await writeFile(indexPath, formatEpisodeIndex(input));
      await writeJsonAtomic(indexJsonPath, { workflowId: input.workflowId, source: input.source, clips: input.clips });
      return { indexPath, indexJsonPath };
    },
  };
}
