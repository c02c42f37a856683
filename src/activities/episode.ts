/**
 * Episodes: the settings an episode follows, each clip's workspace, where a clip delivers (inside
 * its episode's output folder), and the ranked index, which a late delivery rewrites.
 */
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config';
import type { ClipDelivery, EpisodeClip } from '../domain/episode';
import { clipFolderName, formatEpisodeIndex, withDeliveries } from '../domain/episode';
import type { CostEstimate } from '../domain/cost';
import { estimateClipRun } from '../pricing/estimate';
import type { ActivityDeps } from './deps';
import { readJson, workspaceDir, writeJsonAtomic } from './workspace';

type Dirs = Pick<AppConfig, 'runsDir' | 'outputDir'>;

/** A clip's place in its episode, as prepareClip recorded it in the clip's request.json. */
export interface EpisodeClipRef {
  episodeId: string;
  rank: number;
}

/** The episode a workspace's run belongs to, or undefined for a reel of its own. */
export async function episodeClipOf(workspace: string): Promise<EpisodeClipRef | undefined> {
  const request = await readJson<Partial<EpisodeClipRef>>(path.join(workspace, 'request.json')).catch(() => undefined);
  if (typeof request?.episodeId !== 'string' || !Number.isInteger(request.rank)) return undefined;
  return { episodeId: request.episodeId, rank: request.rank! };
}

/** output/<episode id>/ */
const episodeOutputDir = (dirs: Dirs, episodeId: string) =>
  path.join(dirs.outputDir, path.basename(workspaceDir(dirs.runsDir, episodeId)));

/** output/<episode id>/clip-<rank>/: where a clip of an episode delivers. */
export const clipOutputDir = (dirs: Dirs, clip: EpisodeClipRef) =>
  path.join(episodeOutputDir(dirs, clip.episodeId), clipFolderName(clip.rank));

interface EpisodeIndex {
  workflowId: string;
  source: string;
  clips: EpisodeClip[];
}

/** index.md and index.json, with every delivery found in the clips' folders laid over the table. */
async function writeIndex(dirs: Dirs, index: EpisodeIndex): Promise<{ indexPath: string; indexJsonPath: string }> {
  const outputDir = episodeOutputDir(dirs, index.workflowId);
  await mkdir(outputDir, { recursive: true });
  const deliveries: ClipDelivery[] = [];
  for (const clip of index.clips) {
    const file = path.join(outputDir, clipFolderName(clip.rank), 'clip.json');
    const delivery = await readJson<ClipDelivery>(file).catch(() => undefined);
    if (delivery) deliveries.push(delivery);
  }
  const table = { ...index, clips: withDeliveries(index.clips, deliveries) };
  const indexPath = path.join(outputDir, 'index.md');
  const indexJsonPath = path.join(outputDir, 'index.json');
  await writeFile(`${indexPath}.partial`, formatEpisodeIndex(table));
  await rename(`${indexPath}.partial`, indexPath);
  await writeJsonAtomic(indexJsonPath, table);
  return { indexPath, indexJsonPath };
}

/**
 * DELIVERY of an episode's clip: clip.json beside its reel, and the episode's index rewritten when
 * the episode has written one already (the clip was resumed after the episode closed). An episode
 * still running writes its index later and finds clip.json then.
 */
export async function recordClipDelivery(dirs: Dirs, clip: EpisodeClipRef, delivery: ClipDelivery): Promise<void> {
  await writeJsonAtomic(path.join(clipOutputDir(dirs, clip), 'clip.json'), delivery);
  const indexJsonPath = path.join(episodeOutputDir(dirs, clip.episodeId), 'index.json');
  const index = await readJson<EpisodeIndex>(indexJsonPath).catch(() => undefined);
  if (index) await writeIndex(dirs, index);
}

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
      /** The clip's B-roll count and pacing, for its own estimate (absent in runs recorded before it). */
      clipCount?: number;
      pacing?: 'slow' | 'medium' | 'fast';
    }): Promise<{ workspace: string; momentPath: string; estimate?: CostEstimate }> {
      const workspace = workspaceDir(config.runsDir, input.workflowId);
      await mkdir(workspace, { recursive: true });
      const momentPath = path.join(workspace, 'moment.json');
      await copyFile(input.momentPath, momentPath);
      await writeJsonAtomic(path.join(workspace, 'request.json'), {
        episodeId: input.episodeId,
        rank: input.rank,
        momentPath: input.momentPath,
      });
      if (input.clipCount === undefined) return { workspace, momentPath };
      const estimate = estimateClipRun(config, input.clipCount, input.pacing);
      await writeJsonAtomic(path.join(workspace, 'estimate.json'), estimate);
      return { workspace, momentPath, estimate };
    },

    /** output/<episode id>/index.md and index.json: the ranked table, best first. */
    async writeEpisodeIndex(input: EpisodeIndex): Promise<{ indexPath: string; indexJsonPath: string }> {
      return writeIndex(config, input);
    },
  };
}
