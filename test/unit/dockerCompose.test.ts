/** There is no Docker engine on CI machines, so the compose file is checked statically. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MATCHING_DYNAMIC_CONFIG } from '../../src/dev/localTemporal';

const root = path.resolve(__dirname, '../..');

interface Service {
  image?: string;
  container_name?: string;
  ports?: string[];
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown> | string[];
  volumes?: string[];
}

describe('docker-compose.yml', async () => {
  const compose = parse(await readFile(path.join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
  };
  const packageJson = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };

  it('runs Temporal on PostgreSQL with its UI', () => {
    const { postgresql, temporal } = compose.services;
    expect(postgresql?.image).toMatch(/^postgres:/);
    expect(temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(temporal?.environment?.DB).toBe('postgres12');
    expect(temporal?.environment?.POSTGRES_SEEDS).toBe('postgresql');
    expect(compose.services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it("starts Temporal with the local dev server's matching settings (one partition per queue, priority)", async () => {
    const { temporal } = compose.services;
    const file = temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH;
    // The image's working folder is /etc/temporal; the file is mounted there from this folder.
    const mount = temporal?.volumes?.find((v) => v.split(':')[1] === `/etc/temporal/${file}`);
    expect(mount).toBeDefined();
    const dynamic = parse(await readFile(path.join(root, mount!.split(':')[0]!), 'utf8')) as Record<
      string,
      { value: unknown; constraints?: unknown }[]
    >;
    const values = Object.fromEntries(Object.entries(dynamic).map(([key, [first]]) => [key, first?.value]));
    expect(values).toEqual(MATCHING_DYNAMIC_CONFIG);
    // Unconstrained: every queue, as on the dev server.
    expect(
      Object.values(dynamic)
        .flat()
        .filter((v) => v.constraints !== undefined),
    ).toEqual([]);
  });

  it('gives the worker the Temporal address and a script that exists', () => {
    const worker = compose.services.worker;
    expect(worker?.build).toBeDefined();
    expect(worker?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(Object.keys(worker?.depends_on ?? {})).toContain('temporal');
    const [, , script] = worker?.command ?? [];
    expect(packageJson.scripts[script ?? '']).toBeDefined();
  });

  it('runs the speech worker on the speech queue, next to the worker and sharing its runs folder', async () => {
    const speech = compose.services['speech-worker'];
    expect(speech?.build).toMatchObject({ dockerfile: 'speech/Dockerfile' });
    expect(speech?.command).toEqual(['python', '-m', 'reelflow_speech.worker']);
    expect(speech?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(speech?.environment?.SPEECH_TASK_QUEUE).toBe('reelflow-speech');
    expect(Object.keys(speech?.depends_on ?? {})).toContain('temporal');
    // Paths travel between the workers, so the workspace must be at the same place in both.
    const runs = compose.services.worker?.volumes?.find((v) => v.startsWith('./runs:'));
    expect(speech?.volumes).toContain(runs);
    const dockerfile = await readFile(path.join(root, 'speech/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/pip install[^\n]*-r requirements.txt/);
    expect(dockerfile).toMatch(/reelflow_speech.offline_model/);
  });

  it('scales the worker (`--scale worker=3`): each replica is its own host on the shared queue', () => {
    const worker = compose.services.worker!;
    // A fixed name or a published port would make a second replica fail to start.
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    // A fixed host id would give every replica the same host queues; the default differs per container.
    expect(worker.environment?.REELFLOW_HOST_ID).toBeUndefined();
    // Every replica serves the same shared queue, and bounds its own media work.
    expect(worker.environment?.TEMPORAL_TASK_QUEUE).toBe('reelflow');
    expect(worker.environment?.MEDIA_CONCURRENCY).toMatch(/^\$\{MEDIA_CONCURRENCY:-[1-9]\d*\}$/);
  });

  it('sends no local state into an image: every .gitignore entry (.env, the venv, the models, media) is in .dockerignore', async () => {
    const entries = async (file: string) =>
      (await readFile(path.join(root, file), 'utf8'))
        .split('\n')
        .map((line) => line.trim().replace(/\/$/, ''))
        .filter((line) => line && !line.startsWith('#'));
    const dockerignore = new Set(await entries('.dockerignore'));
    // A .gitignore name without a slash matches at any depth; .dockerignore needs `**/` for that.
    const missing = (await entries('.gitignore')).filter(
      (entry) => !dockerignore.has(entry) && !dockerignore.has(`**/${entry}`),
    );
    expect(missing).toEqual([]);
    expect(dockerignore).toContain('.env');
  });

  it('builds the worker image with ffmpeg', async () => {
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/apt-get install[^\n]*ffmpeg/);
    // The captions' default font (CAPTION_FONT, src/dev/systemTools.ts), as `npm run setup` installs it.
    expect(dockerfile).toMatch(/apt-get install[^\n]*fonts-dejavu-core/);
    // ffmpeg dies with a killed worker through setpriv (util-linux, in every Debian image).
    expect(dockerfile).toMatch(/^FROM node:20-bookworm/m);
    // npm ci rejects this lockfile (see .ci/run), so the image must not use it.
    expect(dockerfile).not.toMatch(/^RUN npm ci/m);
  });
});
