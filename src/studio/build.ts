/**
 * Builds the studio page (web/) into .studio/ with esbuild: one bundled, minified script and the
 * page's HTML and CSS, no CDN and nothing inline (the API serves it under a strict CSP). The build
 * is not committed (a generated file drifts from its source and bloats diffs); it takes well under
 * a second, so `npm run setup` builds it and every entry point that serves the page (`npm run api`,
 * `reelflow dev`, the demo, the tests) calls ensureStudioBuilt(), which rebuilds only when a
 * source is newer than the build.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const STUDIO_SOURCE_DIR = path.join(ROOT, 'web');
export const STUDIO_BUILD_DIR = path.join(ROOT, '.studio');
/** The files the build writes, which the API serves (and nothing else). */
export const STUDIO_FILES = ['index.html', 'studio.css', 'app.js'] as const;

/** The sources the page is made of: web/ and the pure shared modules it imports. */
const SHARED_SOURCES = ['src/workflows/stages.ts', 'src/domain/runList.ts'].map((file) => path.join(ROOT, file));

async function newestSource(): Promise<number> {
  const files = [
    ...(await readdir(STUDIO_SOURCE_DIR)).map((name) => path.join(STUDIO_SOURCE_DIR, name)),
    ...SHARED_SOURCES,
  ];
  const times = await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));
  return Math.max(...times);
}

async function oldestBuilt(outDir: string): Promise<number> {
  const times = await Promise.all(
    STUDIO_FILES.map((name) =>
      stat(path.join(outDir, name)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.min(...times);
}

export async function buildStudio(outDir = STUDIO_BUILD_DIR): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(STUDIO_SOURCE_DIR, 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
    tsconfig: path.join(STUDIO_SOURCE_DIR, 'tsconfig.json'),
  });
  await copyFile(path.join(STUDIO_SOURCE_DIR, 'index.html'), path.join(outDir, 'index.html'));
  await copyFile(path.join(STUDIO_SOURCE_DIR, 'studio.css'), path.join(outDir, 'studio.css'));
  return outDir;
}

/** Builds the page when the build is missing or older than its sources; returns the build folder. */
export async function ensureStudioBuilt(outDir = STUDIO_BUILD_DIR): Promise<{ dir: string; built: boolean }> {
  if ((await oldestBuilt(outDir)) >= (await newestSource())) return { dir: outDir, built: false };
  await buildStudio(outDir);
  return { dir: outDir, built: true };
}
