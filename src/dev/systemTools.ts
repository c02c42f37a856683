/**
 * System tools reelflow needs from the OS: ffmpeg/ffprobe (required) and espeak-ng (optional: the
 * demo's sample source speaks its lines with it). `npm run setup`, the demo and `reelflow dev`
 * install them with apt-get on a Debian machine where we are root; a production worker only checks
 * (checkSystemTools) and names the command to run — it never installs packages at boot.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function hasCommand(name: string, args = ['-version']): Promise<boolean> {
  return exec(name, args, { timeout: 20_000 }).then(
    () => true,
    () => false,
  );
}

const APT_PACKAGES = ['ffmpeg', 'espeak-ng'];

async function canApt(): Promise<boolean> {
  return process.getuid?.() === 0 && (await hasCommand('apt-get', ['--version']));
}

/** Makes sure ffmpeg and ffprobe are present (installing them when possible); espeak-ng is best effort. */
export async function ensureSystemTools(log: (line: string) => void = console.log): Promise<{ espeak: boolean }> {
  const missing: string[] = [];
  if (!(await hasCommand('ffmpeg')) || !(await hasCommand('ffprobe'))) missing.push('ffmpeg');
  if (!(await hasCommand('espeak-ng', ['--version']))) missing.push('espeak-ng');
  if (missing.length > 0 && (await canApt())) {
    log(`installing ${missing.join(', ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      await exec('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch {
      // A fresh machine has no package lists yet.
      await exec('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
      await exec('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
    }
  }
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
