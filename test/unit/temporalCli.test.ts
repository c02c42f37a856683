import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateTemporalCli } from '../../src/dev/temporalCli';

async function fakeBinary(dir: string): Promise<string> {
  const file = path.join(dir, 'temporal');
  await writeFile(file, '#!/bin/sh\necho fake\n');
  await chmod(file, 0o755);
  return file;
}

describe('locateTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH', async () => {
    const a = await mkdtemp(path.join(os.tmpdir(), 'cli-a-'));
    const b = await mkdtemp(path.join(os.tmpdir(), 'cli-b-'));
    const explicit = await fakeBinary(a);
    await fakeBinary(b);
    expect(await locateTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH: b })).toEqual({
      path: explicit,
      from: 'TEMPORAL_CLI_PATH',
    });
  });

  it('finds the binary on PATH', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-path-'));
    const onPath = await fakeBinary(dir);
    expect(await locateTemporalCli({ PATH: `/nonexistent${path.delimiter}${dir}` })).toEqual({
      path: onPath,
      from: 'PATH',
    });
  });

  it('rejects a TEMPORAL_CLI_PATH that is not executable, naming the variable', async () => {
    await expect(locateTemporalCli({ TEMPORAL_CLI_PATH: '/nonexistent/temporal' })).rejects.toThrow(
      /TEMPORAL_CLI_PATH=\/nonexistent\/temporal/,
    );
  });
});
