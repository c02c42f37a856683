/**
 * System tools reelflow needs from the OS: ffmpeg/ffprobe (required) and espeak-ng (optional: the
 * demo's sample source speaks its lines with it). `npm run setup`, the demo and `reelflow dev`
 * install them with apt-get on a Debian machine where we are root; a production worker only checks
 * (checkSystemTools) and names the command to run — it never installs packages at boot.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function hasCommand(name: string, args = ['-version']): Promise<boolean> {
  return exec(name, args, { timeout: 20_000 }).then(
    () => true,
    () => false,
  );
}

const APT_PACKAGES = ['ffmpeg', 'espeak-ng'];
/** The captions' font (config CAPTION_FONT, Debian fonts-dejavu-core); the caption tests read frames with tesseract. */
export const CAPTION_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

export async function canApt(): Promise<boolean> {
  return process.getuid?.() === 0 && (await hasCommand('apt-get', ['--version']));
}

/** Installs Debian packages (as root), fetching the package lists first on a fresh machine. */
export async function aptInstall(packages: string[], log: (line: string) => void): Promise<void> {
  log(`installing ${packages.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    exec('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, maxBuffer: 64 * 1024 * 1024 });
  try {
    await install();
  } catch {
    // A fresh machine has no package lists yet.
    await exec('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await install();
  }
}

/** Makes sure ffmpeg and ffprobe are present (installing them when possible); espeak-ng is best effort. */
export async function ensureSystemTools(log: (line: string) => void = console.log): Promise<{ espeak: boolean }> {
  const missing: string[] = [];
  if (!(await hasCommand('ffmpeg')) || !(await hasCommand('ffprobe'))) missing.push('ffmpeg');
  if (!(await hasCommand('espeak-ng', ['--version']))) missing.push('espeak-ng');
  if (!existsSync(CAPTION_FONT_FILE)) missing.push('fonts-dejavu-core');
  if (!(await hasCommand('tesseract', ['--version']))) missing.push('tesseract-ocr', 'tesseract-ocr-eng');
  if (missing.length > 0 && (await canApt())) await aptInstall(missing, log);
  return checkSystemTools();
}

/** Fails, naming the command to run, when ffmpeg or ffprobe is missing; installs nothing. */
export async function checkSystemTools(): Promise<{ espeak: boolean }> {
  if (!(await hasCommand('ffmpeg')) || !(await hasCommand('ffprobe'))) {
    throw new Error(
      `ffmpeg and ffprobe are required: run \`npm run setup\` (as root on Debian), or install them with ` +
        `\`sudo apt-get install ${APT_PACKAGES.join(' ')}\` (or your OS's ffmpeg ≥ 5)`,
    );
  }
  return { espeak: await hasCommand('espeak-ng', ['--version']) };
}
