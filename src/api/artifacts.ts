/**
 * The run files the API may serve, by name: a fixed list, looked up in the run's output folder
 * (`OUTPUT_DIR/<id>/`, what DELIVERY published) and then its workspace (`RUNS_DIR/<id>/`). Nothing
 * else on disk is reachable: the id is checked against PROJECT_ID and the name against the list.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
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
  for (const root of [dirs.outputDir, dirs.runsDir]) {
    const file = path.join(root, id, name);
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
