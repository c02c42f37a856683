import type { AppConfig } from '../../src/config';
import { loadConfig } from '../../src/config';

/** Offline settings with the given runs/output directories and the fastest x264 preset. */
export function testConfig(dir: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({ RUNS_DIR: `${dir}/runs`, OUTPUT_DIR: `${dir}/output`, FFMPEG_PRESET: 'ultrafast', ...overrides });
}
