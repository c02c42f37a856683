// `npm run setup`: installs what this machine lacks (ffmpeg, espeak-ng, the Temporal CLI) and says where it is.
import { ensureSystemTools } from '../src/dev/systemTools';
import { ensureTemporalCli } from '../src/dev/temporalCli';
import { ensureTestFaces } from './testFaces';

async function main(): Promise<void> {
  const { espeak } = await ensureSystemTools();
  console.log(`ffmpeg: ok; espeak-ng: ${espeak ? 'ok' : 'missing (the demo sample will use tones instead of speech)'}`);
  const cli = await ensureTemporalCli();
  console.log(`temporal CLI: ${cli.path} (${cli.from})`);
  const faces = await ensureTestFaces();
  console.log(`test faces: ${Object.values(faces).join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
