// `npm run demo`: a whole reel run on the offline defaults (see src/dev/demo.ts).
import { runDemo } from '../src/dev/demo';

runDemo().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
