import { defineConfig } from 'vitest/config';
import { HeavyFirstSequencer } from './test/sequencer.mjs';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native modules (the Temporal core bridge) are known to crash the thread pool.
    pool: 'forks',
    // Tests talk to 127.0.0.1 only: keep google-auth from probing a cloud metadata server.
    env: { METADATA_SERVER_DETECTION: 'none' },
    maxWorkers: 2,
    // Each test process runs file after file: a fresh process per file re-imported the Temporal SDK and
    // src (≈1 CPU s a file, 78 files). Files share no state but the Runtime (test/helpers/temporal.ts)
    // and the drawn samples; each closes what it starts in afterAll.
    isolate: false,
    sequence: { sequencer: HeavyFirstSequencer },
    // One Temporal dev server for the whole run.
    globalSetup: ['test/globalSetup.ts'],
    // Generous: sized for server start, bundling and real ffmpeg renders on a 2-core machine that is
    // busy with something else. Tests control time themselves; a timeout only stops a hung test.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
