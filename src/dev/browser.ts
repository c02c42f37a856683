/**
 * The browser the studio's tests drive: Debian's `chromium` (the browser downloads of puppeteer
 * and playwright cannot work offline). `npm run setup` installs it when missing, as root.
 */
import { access } from 'node:fs/promises';
import { aptInstall, canApt } from './systemTools';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** CHROMIUM_PATH, else the usual install places; undefined when there is none. */
export async function locateBrowser(): Promise<string | undefined> {
  for (const file of [process.env.CHROMIUM_PATH, ...CANDIDATES]) {
    if (
      file &&
      (await access(file).then(
        () => true,
        () => false,
      ))
    )
      return file;
  }
  return undefined;
}

export async function ensureBrowser(log: (line: string) => void = console.log): Promise<string | undefined> {
  const found = await locateBrowser();
  if (found || !(await canApt())) return found;
  await aptInstall(['chromium'], log);
  return locateBrowser();
}
