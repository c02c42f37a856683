/** The offline Veo server for tests, and providers that reach it through the real Veo adapter. */
import path from 'node:path';
import type { AppConfig } from '../../src/config';
import type { Providers } from '../../src/providers';
import { OfflineImageModel } from '../../src/providers/image/offlineImage';
import { OfflineTextModel } from '../../src/providers/text/offlineText';
import type { FaultRule } from '../../src/offlineVeo/faults';
import { LocalVeoServer, OFFLINE_VEO_NAME } from '../../src/offlineVeo/server';
import { VeoVideoModel } from '../../src/providers/video/veo';

export async function startOfflineVeo(
  dir: string,
  options: { faults?: FaultRule[]; latencyS?: number; idempotency?: boolean } = {},
): Promise<LocalVeoServer> {
  const server = new LocalVeoServer({ stateDir: path.join(dir, 'offline-veo'), ...options });
  await server.start();
  return server;
}

/** A key the tests can look for: it must never show up in workflow history. */
export const TEST_API_KEY = 'AQ.test-key-that-must-stay-out-of-history';

export function providersFor(
  server: LocalVeoServer,
  config: AppConfig,
): Providers & { text: OfflineTextModel; image: OfflineImageModel } {
  return {
    text: new OfflineTextModel(),
    image: new OfflineImageModel(),
    video: new VeoVideoModel({
      name: OFFLINE_VEO_NAME,
      models: config.veo3.models,
      apiKey: TEST_API_KEY,
      baseUrl: server.url,
      rateLimit: config.veo3.rateLimit,
    }),
    close: () => Promise.resolve(),
  };
}

/** A Gemini generateContent answer carrying `body` as its text (JSON unless it is a string already). */
export function geminiAnswer(body: unknown): Record<string, unknown> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }] };
}
