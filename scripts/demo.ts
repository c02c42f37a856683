// `npm run demo`: a whole reel run on the offline defaults (see src/dev/demo.ts);
// `npm run demo -- --no-subtitles` drops the sample's .srt, so the speech worker transcribes it.
import { runDemo } from '../src/dev/demo';

runDemo({ subtitles: !process.argv.includes('--no-subtitles') }).catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
