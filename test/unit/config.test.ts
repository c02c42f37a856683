import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('has working defaults with an empty environment (offline providers)', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.temporal).toEqual({ address: 'localhost:7233', namespace: 'default', taskQueue: 'reelflow' });
    expect(config.runsDir).toBe('/srv/app/runs');
    expect(config.veo3).toMatchObject({ clipCount: 3, timeoutS: 300, cropBottomPx: 16, pollInitialS: 5, pollMaxS: 30 });
    expect(config.providers).toEqual({ text: 'offline', image: 'offline', video: 'offline' });
  });

  it('takes a prebuilt workflow bundle from WORKFLOW_BUNDLE_PATH, resolved like the folders', () => {
    expect(loadConfig({}, '/srv/app').workflowBundlePath).toBeUndefined();
    expect(loadConfig({ WORKFLOW_BUNDLE_PATH: 'build/workflows.js' }, '/srv/app').workflowBundlePath).toBe(
      '/srv/app/build/workflows.js',
    );
  });

  it('names each bad variable', () => {
    const bad = () => loadConfig({ VEO3_CLIP_COUNT: 'three', TEMPORAL_ADDRESS: 'no-port', FFMPEG_PRESET: 'fastest' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/VEO3_CLIP_COUNT="three"/);
    expect(bad).toThrow(/TEMPORAL_ADDRESS="no-port": must be host:port/);
    expect(bad).toThrow(/FFMPEG_PRESET/);
  });

  it('caps URL source downloads by size and time (SOURCE_MAX_BYTES, SOURCE_DOWNLOAD_TIMEOUT_S)', () => {
    expect(loadConfig({}).source).toEqual({ maxBytes: 4 * 1024 ** 3, downloadTimeoutS: 1800 });
    expect(loadConfig({ SOURCE_MAX_BYTES: '1048576', SOURCE_DOWNLOAD_TIMEOUT_S: '60' }).source).toEqual({
      maxBytes: 1048576,
      downloadTimeoutS: 60,
    });
    expect(() => loadConfig({ SOURCE_MAX_BYTES: '4GB' })).toThrow(/SOURCE_MAX_BYTES="4GB"/);
    expect(() => loadConfig({ SOURCE_DOWNLOAD_TIMEOUT_S: '0' })).toThrow(/SOURCE_DOWNLOAD_TIMEOUT_S="0"/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ VEO3_TIMEOUT_S: '' }).veo3.timeoutS).toBe(300);
  });

  it('requires a key when a provider is gemini, and defaults to Gemini when a key is given', () => {
    expect(() => loadConfig({ VIDEO_PROVIDER: 'gemini' })).toThrow(
      /GEMINI_API_KEY: required because VIDEO_PROVIDER=gemini/,
    );
    expect(() => loadConfig({ IMAGE_PROVIDER: 'gemini' })).toThrow(/IMAGE_PROVIDER=gemini/);
    const config = loadConfig({ GEMINI_API_KEY: 'test-key-value', TEXT_PROVIDER: 'offline' });
    expect(config.providers).toEqual({ text: 'offline', image: 'gemini', video: 'gemini' });
  });

  it('never prints the key', () => {
    const shown = JSON.stringify(describeConfig(loadConfig({ GEMINI_API_KEY: 'secret-value-123' })));
    expect(shown).not.toContain('secret-value-123');
    expect(shown).toContain('(set)');
  });

  it('names a bad secret and its rule without ever showing its value', () => {
    const bad = () => loadConfig({ API_TOKEN: 'short-secret', VEO3_TIMEOUT_S: '0' });
    expect(bad).toThrow(/API_TOKEN: must be at least 16 characters/);
    expect(bad).toThrow(/VEO3_TIMEOUT_S="0"/);
    try {
      bad();
    } catch (err) {
      expect((err as Error).message).not.toContain('short-secret');
      // One line, so the CLI's one-line errors keep every variable.
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('gives a project on its own task queue its own speech queue, in the TypeScript and the Python settings alike', () => {
    const envs: Record<string, string>[] = [
      {},
      { TEMPORAL_TASK_QUEUE: 'reelflow-second' },
      { TEMPORAL_TASK_QUEUE: 'reelflow-second', SPEECH_TASK_QUEUE: 'shared-speech' },
    ];
    const typescript = envs.map((env) => loadConfig(env, '/srv/app').speech.taskQueue);
    expect(typescript).toEqual(['reelflow-speech', 'reelflow-second-speech', 'shared-speech']);
    // The Python worker's own rule (speech/reelflow_speech/settings.py; plain Python, no venv needed).
    const python = execFileSync(
      'python3',
      [
        '-c',
        'import json, sys; from reelflow_speech.settings import load_settings; ' +
          'print(json.dumps([load_settings(env).task_queue for env in json.loads(sys.argv[1])]))',
        JSON.stringify(envs),
      ],
      { cwd: path.resolve(__dirname, '../../speech'), encoding: 'utf8' },
    );
    expect(JSON.parse(python)).toEqual(typescript);
  });
});
