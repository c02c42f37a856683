/**
 * Builds the providers the configuration asks for. With VIDEO_PROVIDER=offline (the default with no
 * key) the worker runs the local Veo-compatible server itself, unless OFFLINE_VEO_URL points at one,
 * and talks to it through the same Veo adapter as production.
 */
import path from 'node:path';
import type { AppConfig } from '../config';
// The offline Veo server lives outside the providers: a demo provider and a test double, which the
// real adapter never imports. Only this composition root starts it.
import { LocalVeoServer, OFFLINE_VEO_NAME } from '../offlineVeo/server';
import { GeminiImageModel } from './image/geminiImage';
import { OfflineImageModel } from './image/offlineImage';
import { GeminiTextModel } from './text/geminiText';
import type { ImageModel } from './image/types';
import { OfflineTextModel } from './text/offlineText';
import type { TextModel } from './text/types';
import type { VideoModel } from './video/types';
import { VeoVideoModel } from './video/veo';

export interface Providers {
  text: TextModel;
  image: ImageModel;
  video: VideoModel;
  close(): Promise<void>;
}

/** The offline server answers to any key; this one only marks requests as ours. */
const OFFLINE_KEY = 'reelflow-offline';

export async function createProviders(config: AppConfig, log: (line: string) => void = () => {}): Promise<Providers> {
  const gemini = {
    ...(config.geminiApiKey ? { apiKey: config.geminiApiKey } : {}),
    ...(config.vertex ? { vertex: config.vertex } : {}),
  };
  const models = {
    text:
      config.providers.text === 'gemini'
        ? new GeminiTextModel(config.gemini.textModels, gemini)
        : new OfflineTextModel(),
    image:
      config.providers.image === 'gemini'
        ? new GeminiImageModel(config.gemini.imageModels, gemini)
        : new OfflineImageModel(),
  };
  const veo = { models: config.veo3.models, backend: config.backend, rateLimit: config.veo3.rateLimit };
  if (config.providers.video === 'gemini') {
    const name = config.vertex ? 'veo (vertex ai)' : 'veo (gemini api)';
    return {
      ...models,
      video: new VeoVideoModel({
        name,
        ...veo,
        ...(config.geminiApiKey ? { apiKey: config.geminiApiKey } : {}),
        ...(config.vertex ? { vertex: config.vertex } : {}),
      }),
      close: () => Promise.resolve(),
    };
  }
  if (config.offlineVeo.url) {
    return {
      ...models,
      video: new VeoVideoModel({ name: OFFLINE_VEO_NAME, ...veo, apiKey: OFFLINE_KEY, baseUrl: config.offlineVeo.url }),
      close: () => Promise.resolve(),
    };
  }
  const server = new LocalVeoServer({
    stateDir: path.join(config.runsDir, '.offline-veo'),
    latencyS: config.offlineVeo.latencyS,
    log,
  });
  const url = await server.start();
  log(`offline video provider (${OFFLINE_VEO_NAME}) on ${url}`);
  return {
    ...models,
    video: new VeoVideoModel({ name: OFFLINE_VEO_NAME, ...veo, apiKey: OFFLINE_KEY, baseUrl: url }),
    close: () => server.stop(),
  };
}
