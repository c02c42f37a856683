/**
 * Starts one real Temporal dev server for the whole test run (custom search attributes registered)
 * and bundles src/workflows once, handing both to the test files: a bundle costs seconds of CPU,
 * and a dozen files each making their own was a minute of a 2-core machine's time.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalTemporal } from '../src/dev/localTemporal';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** A file holding the code of one bundle of src/workflows, made before any test ran. */
    workflowBundlePath: string;
    /** A folder for generated sample podcasts shared by the run's files (test/helpers/media.ts). */
    sampleCacheDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-tests-'));
  const bundlePath = path.join(dir, 'workflows-bundle.js');
  const [server, bundle] = await Promise.all([
    startLocalTemporal({ log: (line) => console.log(`[temporal] ${line}`) }),
    bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '../src/workflows'),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
  await writeFile(bundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('sampleCacheDir', path.join(dir, 'samples'));
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
