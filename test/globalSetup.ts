/**
 * Starts one real Temporal dev server for the whole test run (custom search attributes registered)
 * and hands its address to the test files.
 */
import type { TestProject } from 'vitest/node';
import { startLocalTemporal } from '../src/dev/localTemporal';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startLocalTemporal({ log: (line) => console.log(`[temporal] ${line}`) });
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}
