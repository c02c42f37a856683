// `npm run worker:speech`: the Python speech worker alone, on SPEECH_TASK_QUEUE (see speech/ and src/dev/speechEnv.ts).
import { loadConfig } from '../src/config';
import { startSpeechWorker } from '../src/dev/speechEnv';

async function main(): Promise<void> {
  const config = loadConfig();
  const worker = await startSpeechWorker({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: config.speech.taskQueue,
    log: (line) => console.log(line),
  });
  const stop = () => void worker.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise((resolve) => worker.process.once('exit', resolve));
}

main().catch((err: unknown) => {
  console.error(`speech worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
