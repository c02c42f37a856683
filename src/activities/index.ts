/**
 * All activities, built from their dependencies. The worker registers exactly this object, and
 * workflows type their proxies with `Activities`, so the two cannot drift apart.
 */
import { createBrollActivities } from './broll';
import type { ActivityDeps } from './deps';
import { createDeliveryActivities } from './delivery';
import { createContentActivities } from './content';
import { createPictureActivities } from './picture';
import { createQaActivities } from './qa';
import { createResearchActivities } from './research';
import { createRouterActivities } from './router';
import { createSpeechActivities } from './speech';
import { createTranscriptActivities } from './transcript';
import { createVideoActivities } from './video';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createRouterActivities(deps),
    ...createResearchActivities(deps),
    ...createSpeechActivities(),
    ...createTranscriptActivities(deps),
    ...createContentActivities(deps),
    ...createQaActivities(),
    ...createPictureActivities(deps),
    ...createDeliveryActivities(deps),
    ...createBrollActivities(deps),
    ...createVideoActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
