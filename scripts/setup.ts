// `npm run setup`: installs what this machine lacks (ffmpeg, espeak-ng, the Temporal CLI, the speech
// worker's venv and model) and says where it is.
import { ensureSpeechEnv, SPEECH_PATHS } from '../src/dev/speechEnv';
import { ensureSystemTools } from '../src/dev/systemTools';
import { ensureTemporalCli } from '../src/dev/temporalCli';

async function main(): Promise<void> {
  const { espeak } = await ensureSystemTools();
  console.log(`ffmpeg: ok; espeak-ng: ${espeak ? 'ok' : 'missing (the demo sample will use tones instead of speech)'}`);
  const cli = await ensureTemporalCli();
  console.log(`temporal CLI: ${cli.path} (${cli.from})`);
  await ensureSpeechEnv();
  console.log(`speech worker: ${SPEECH_PATHS.python}, offline model ${SPEECH_PATHS.modelDir}`);
}

main().catch((err: unknown) => {
  console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
