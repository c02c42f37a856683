/**
 * All activities, built from their dependencies. The worker registers exactly this object, and
 * workflows type their proxies with `Activities`, so the two cannot drift apart.
 */
import { createBrollActivities } from './broll';
import type { ActivityDeps } from './deps';
import { createDeliveryActivities } from './delivery';
import { createPictureActivities } from './picture';
import { createSourceActivities } from './source';
import { createStoryActivities } from './story';
import { createVideoActivities } from './video';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSourceActivities(deps),
    ...createStoryActivities(deps),
    ...createPictureActivities(deps),
    ...createDeliveryActivities(deps),
    ...createBrollActivities(deps),
    ...createVideoActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
