/**
 * All activities, built from their dependencies. The worker registers exactly this object, and
 * workflows type their proxies with `Activities`, so the two cannot drift apart.
 */
import { createBrollActivities } from './broll';
import type { ActivityDeps } from './deps';
import { createDeliveryActivities } from './delivery';
import { createEpisodeActivities } from './episode';
import { createEpisodeMoveActivities } from './episodeMove';
import { createHostActivities } from './hosts';
import { createRunFileActivities } from './runFiles';
import { createContentActivities } from './content';
import { createPictureActivities } from './picture';
import { createQaActivities } from './qa';
import { createResearchActivities } from './research';
import { createRouterActivities } from './router';
import { createSpeechActivities } from './speech';
import { createTranscriptActivities } from './transcript';
import { metered } from './metering';
import { createVideoActivities } from './video';

export function createActivities(deps: ActivityDeps) {
  const router = createRouterActivities(deps);
  const research = createResearchActivities(deps);
  const transcript = createTranscriptActivities(deps);
  const content = createContentActivities(deps);
  const video = createVideoActivities(deps);
  return {
    ...router,
    ...research,
    ...createSpeechActivities(),
    ...transcript,
    ...content,
    ...createQaActivities(),
    ...createPictureActivities(deps),
    ...createDeliveryActivities(deps),
    ...createEpisodeActivities(deps),
    ...createEpisodeMoveActivities(),
    ...createBrollActivities(deps),
    ...video,
    ...createHostActivities(deps),
    ...createRunFileActivities(deps),
    // The activities that call text or image models report what those calls cost.
    router: metered(deps, 'ROUTER', router.router),
    research: metered(deps, 'RESEARCH', research.research),
    pickMoment: metered(deps, 'TRANSCRIPT', transcript.pickMoment),
    pickMoments: metered(deps, 'TRANSCRIPT', transcript.pickMoments),
    writePublishingAssets: metered(deps, 'CONTENT', content.writePublishingAssets),
    writeStoryboard: metered(deps, 'STORYBOARD', video.writeStoryboard),
    renderKeyframes: metered(deps, 'KEYFRAMES', video.renderKeyframes),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
