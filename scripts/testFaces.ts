/**
 * Real face photographs for the framing tests, taken from a registry package (no other download):
 * scikit-image's wheel ships `skimage/data/astronaut.png` (Eileen Collins, NASA, public domain) and
 * `skimage/data/camera.png` (CC0, Lav Varshney). `npm run setup` downloads the pinned wheel with pip
 * and keeps only the two images in .cache/test-faces/ (git-ignored); the wheel is deleted.
 */
import { execFile } from 'node:child_process';
import { access, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const WHEEL = 'scikit-image==0.26.0';
export const TEST_FACES_DIR = path.join(ROOT, '.cache', 'test-faces');
export const TEST_FACES = {
  astronaut: path.join(TEST_FACES_DIR, 'astronaut.png'),
  camera: path.join(TEST_FACES_DIR, 'camera.png'),
} as const;

const present = async (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Makes sure the test photographs are on disk; returns their paths. */
export async function ensureTestFaces(log: (line: string) => void = console.log): Promise<typeof TEST_FACES> {
  const missing = [];
  for (const file of Object.values(TEST_FACES)) if (!(await present(file))) missing.push(file);
  if (missing.length === 0) return TEST_FACES;
  log(`extracting test face photographs from ${WHEEL} (PyPI) into ${TEST_FACES_DIR}`);
  const download = path.join(TEST_FACES_DIR, 'wheel');
  await mkdir(download, { recursive: true });
  const python = ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps'];
  await exec('python3', [...python, '--only-binary', ':all:', '--dest', download, WHEEL], { maxBuffer: 16 << 20 });
  const wheel = (await readdir(download)).find((name) => name.endsWith('.whl'));
  if (!wheel) throw new Error(`pip download ${WHEEL} left no wheel in ${download}`);
  // A wheel is a zip; Python's zipfile is always there where pip is.
  const extract = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'for name in sys.argv[3:]:',
    '    open(sys.argv[2] + "/" + name, "wb").write(z.read("skimage/data/" + name))',
  ].join('\n');
  await exec('python3', ['-c', extract, path.join(download, wheel), TEST_FACES_DIR, 'astronaut.png', 'camera.png']);
  await rm(download, { recursive: true, force: true });
  return TEST_FACES;
}
