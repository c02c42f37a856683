// `npm run setup`: installs what this machine lacks (ffmpeg, espeak-ng, the Temporal CLI, chromium for the studio's tests),
// builds the studio page, and says where things are.
import { ensureBrowser } from '../src/dev/browser';
import { ensureSystemTools } from '../src/dev/systemTools';
import { ensureTemporalCli } from '../src/dev/temporalCli';
import { ensureStudioBuilt } from '../src/studio/build';

async function main(): Promise<void> {
  const { espeak } = await ensureSystemTools();
  console.log(`ffmpeg: ok; espeak-ng: ${espeak ? 'ok' : 'missing (the demo sample will use tones instead of speech)'}`);
  const cli = await ensureTemporalCli();
  console.log(`temporal CLI: ${cli.path} (${cli.from})`);
  const browser = await ensureBrowser();
  console.log(
    `chromium (studio tests): ${browser ?? 'missing: install Debian `chromium` or set CHROMIUM_PATH (the studio tests need it)'}`,
  );
  const studio = await ensureStudioBuilt();
  console.log(`studio page: ${studio.dir} (${studio.built ? 'built' : 'up to date'})`);
}

main().catch((err: unknown) => {
  console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
