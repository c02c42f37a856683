/**
 * The order test files start in. Vitest runs files it has no timings for (every fresh clone, so every
 * CI run) largest first, which puts short files with whole reel runs in them (brollFaults: 3 KB, 5
 * minutes) at the end, where one worker renders alone while the other has nothing left. Whole runs
 * live in test/e2e and test/paid, real media in test/activities: start those first; within a folder,
 * and once vitest has timings, keep its own order (longest, or failed, first).
 */
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

const HEAVY_FIRST = ['/test/e2e/', '/test/paid/', '/test/activities/'];

function weight(file: TestSpecification): number {
  const at = HEAVY_FIRST.findIndex((folder) => file.moduleId.includes(folder));
  return at === -1 ? HEAVY_FIRST.length : at;
}

export class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: vitest's order holds within each weight.
    return sorted.sort((a, b) => weight(a) - weight(b));
  }
}
