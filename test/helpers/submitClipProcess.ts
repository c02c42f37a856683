/**
 * Runs one submitClip in a process of its own, so a test can SIGKILL it while the provider holds
 * its answer. Settings come from the environment (as a worker's do); the Veo server URL and the
 * activity input from argv. Prints "submitting" before the call.
 */
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { loadConfig } from '../../src/config';
import { OfflineImageModel } from '../../src/providers/image/offlineImage';
import { OfflineTextModel } from '../../src/providers/text/offlineText';
import { VeoVideoModel } from '../../src/providers/video/veo';

async function main(): Promise<void> {
  const [serverUrl, inputJson] = process.argv.slice(2);
  const config = loadConfig();
  const connection = await Connection.connect({ address: config.temporal.address });
  const activities = createActivities({
    config,
    temporalClient: new Client({ connection, namespace: config.temporal.namespace }),
    providers: {
      text: new OfflineTextModel(),
      image: new OfflineImageModel(),
      video: new VeoVideoModel({
        name: 'reelflow-offline-veo',
        models: config.veo3.models,
        apiKey: 'test-key-not-secret',
        baseUrl: serverUrl!,
        rateLimit: config.veo3.rateLimit,
      }),
      close: () => Promise.resolve(),
    },
  });
  console.log('submitting');
  await new MockActivityEnvironment().run(activities.submitClip, JSON.parse(inputJson!));
  console.log('submitted');
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
