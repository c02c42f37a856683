/** restoreMoments: a moved episode's picked moments written into the new host's workspace from its transcript. */
import { ApplicationFailure } from '@temporalio/common';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEpisodeMoveActivities } from '../../src/activities/episodeMove';
import { MomentSchema } from '../../src/domain/reel';
import { tempDir } from '../helpers/media';

const cues = Array.from({ length: 20 }, (_, i) => ({ startS: 10 * i, endS: 10 * i + 9, text: `Line ${i} is short.` }));
const picked = [
  {
    rank: 1,
    score: 88,
    hook: 'The last line lands',
    reason: 'It closes on "Line 12 is short."',
    startS: 100,
    endS: 169,
  },
  { rank: 2, score: 64, hook: 'Just before', reason: 'It opens on "Line 0 is short."', startS: 0, endS: 69 },
];

describe('restoreMoments', () => {
  it("writes each picked moment with its window's transcript lines, and moments.json with all of them", async () => {
    const workspace = await tempDir('restore-moments');
    const transcriptPath = path.join(workspace, 'transcript.json');
    await writeFile(transcriptPath, JSON.stringify({ cues }));
    const result = await createEpisodeMoveActivities().restoreMoments({ workspace, transcriptPath, moments: picked });

    expect(result.moments).toEqual(
      picked.map((moment) => ({
        ...moment,
        momentPath: path.join(workspace, 'moments', `moment-${moment.rank}.json`),
      })),
    );
    const first = MomentSchema.parse(JSON.parse(await readFile(result.moments[0]!.momentPath, 'utf8')));
    expect(first.cues.map((cue) => cue.text)).toEqual([10, 11, 12, 13, 14, 15, 16].map((i) => `Line ${i} is short.`));
    expect(first).toMatchObject({ startS: 100, endS: 169, hook: 'The last line lands', ranking: { by: 'history' } });
    const all = JSON.parse(await readFile(result.momentsPath, 'utf8')) as { moments: { rank: number; hook: string }[] };
    expect(all.moments.map((m) => [m.rank, m.hook])).toEqual([
      [1, 'The last line lands'],
      [2, 'Just before'],
    ]);
  });

  it('fails naming the moment when its window has no transcript lines on this host', async () => {
    const workspace = await tempDir('restore-moments-empty');
    const transcriptPath = path.join(workspace, 'transcript.json');
    await writeFile(transcriptPath, JSON.stringify({ cues: cues.slice(0, 5) }));
    const failure = await createEpisodeMoveActivities()
      .restoreMoments({ workspace, transcriptPath, moments: picked })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('NO_MOMENT');
    expect((failure as ApplicationFailure).message).toBe(
      `moment 1 (100–169 s) has no transcript lines on this host (${transcriptPath})`,
    );
  });
});
