/** The API's artifact lookup: a reel's output folder, an episode clip's folder inside its episode's, then the workspace. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findArtifact } from '../../src/api/artifacts';
import { tempDir } from '../helpers/media';

describe('findArtifact', () => {
  it("finds an episode clip's published files in its episode's folder, and a reel's in its own", async () => {
    const root = await tempDir('artifacts');
    const dirs = { runsDir: path.join(root, 'runs'), outputDir: path.join(root, 'output') };
    const put = async (file: string, text = 'x') => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    };
    // The clip's workspace records its episode (prepareClip writes request.json).
    await put(path.join(dirs.runsDir, 'ep-clip2', 'request.json'), JSON.stringify({ episodeId: 'ep', rank: 2 }));
    await put(path.join(dirs.runsDir, 'ep-clip2', 'reel.mp4'));
    await put(path.join(dirs.outputDir, 'ep', 'clip-2', 'reel.mp4'));
    await put(path.join(dirs.outputDir, 'ep', 'clip-2', 'summary.md'));
    await put(path.join(dirs.runsDir, 'solo', 'request.json'), JSON.stringify({ source: 'a.mp4' }));
    await put(path.join(dirs.outputDir, 'solo', 'reel.mp4'));

    expect(await findArtifact(dirs, 'ep-clip2', 'reel.mp4')).toBe(
      path.join(dirs.outputDir, 'ep', 'clip-2', 'reel.mp4'),
    );
    expect(await findArtifact(dirs, 'ep-clip2', 'summary.md')).toBe(
      path.join(dirs.outputDir, 'ep', 'clip-2', 'summary.md'),
    );
    expect(await findArtifact(dirs, 'solo', 'reel.mp4')).toBe(path.join(dirs.outputDir, 'solo', 'reel.mp4'));
    // Not published yet: the workspace's file.
    expect(await findArtifact(dirs, 'ep-clip2', 'moment.json')).toBeUndefined();
    await put(path.join(dirs.runsDir, 'ep-clip2', 'moment.json'));
    expect(await findArtifact(dirs, 'ep-clip2', 'moment.json')).toBe(
      path.join(dirs.runsDir, 'ep-clip2', 'moment.json'),
    );
  });
});
