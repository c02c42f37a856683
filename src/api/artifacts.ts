/**
 * The run files the API may serve, by name: a fixed list, looked up in the run's output folder
 * (`OUTPUT_DIR/<id>/`, or `OUTPUT_DIR/<episode id>/clip-<rank>/` for an episode's clip: what DELIVERY published) and then its workspace (`RUNS_DIR/<id>/`). Nothing
 * else on disk is reachable: the id is checked against PROJECT_ID and the name against the list.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { clipOutputDir, episodeClipOf } from '../activities/episode';
import { isInside } from './files';

export const ARTIFACT_NAMES = [
  'reel.mp4',
  'video.mp4',
  'reel.srt',
  'reel.vtt',
  'publishing-assets.json',
  'summary.md',
  'moment.json',
  'broll-placements.json',
  'transcript.json',
  'directives.json',
  'layout.json',
  'events.jsonl',
] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

export function isArtifactName(name: string): name is ArtifactName {
  return (ARTIFACT_NAMES as readonly string[]).includes(name);
}

export interface ArtifactDirs {
  runsDir: string;
  outputDir: string;
}

/** Where `name` of run `id` is, or undefined when the run has no such file (yet). */
export async function findArtifact(dirs: ArtifactDirs, id: string, name: ArtifactName): Promise<string | undefined> {
  // An episode's clip published inside its episode's folder (output/<episode id>/clip-<rank>/).
  const runDir = path.join(dirs.runsDir, id);
  const clip = isInside(dirs.runsDir, runDir) ? await episodeClipOf(runDir) : undefined;
  const clipDir = clip && path.relative(dirs.outputDir, clipOutputDir(dirs, clip));
  for (const [root, folder] of [
    [dirs.outputDir, clipDir ?? id],
    [dirs.runsDir, id],
  ] as const) {
    const file = path.join(root, folder, name);
    if (!isInside(root, file)) continue;
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) return file;
  }
  return undefined;
}

/** Every listed file the run has, with its size. */
export async function listArtifacts(dirs: ArtifactDirs, id: string): Promise<{ name: ArtifactName; bytes: number }[]> {
  const found: { name: ArtifactName; bytes: number }[] = [];
  for (const name of ARTIFACT_NAMES) {
    const file = await findArtifact(dirs, id, name);
    if (file) found.push({ name, bytes: (await stat(file)).size });
  }
  return found;
}
