/**
 * Stand-in activities for testing workflow logic only (order, progress, failures, resume). They
 * return well-formed results instantly and count their calls. The real activities are tested on
 * real media in test/activities and test/e2e.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Activities } from '../../src/activities';
import type { PipelineEvent } from '../../src/domain/progress';

export interface StandIns {
  activities: Activities;
  calls: Record<string, number>;
  events: PipelineEvent[];
  /** Make an activity throw (once per entry) before it succeeds. */
  failNext: Partial<Record<keyof Activities, ApplicationFailure[]>>;
}

export function standInActivities(): StandIns {
  const calls: Record<string, number> = {};
  const events: PipelineEvent[] = [];
  const failNext: StandIns['failNext'] = {};
  const track = <K extends keyof Activities>(name: K, impl: Activities[K]): Activities[K] =>
    (async (...args: never[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      const failure = failNext[name]?.shift();
      if (failure) throw failure;
      return (impl as (...a: never[]) => unknown)(...args);
    }) as Activities[K];

  const workspace = '/stand-in/runs/x';
  const activities: Activities = {
    router: track('router', async ({ request }) => ({ workspace, source: request.source })),
    research: track('research', async () => ({
      info: { durationS: 180, width: 1920, height: 1080, fps: 25, hasAudio: true },
      transcriptPath: `${workspace}/transcript.json`,
      transcriptOrigin: 'sidecar' as const,
      cueCount: 40,
    })),
    pickMoment: track('pickMoment', async () => ({ momentPath: `${workspace}/moment.json`, startS: 30, endS: 105 })),
    writePublishingAssets: track('writePublishingAssets', async () => ({
      assetsPath: `${workspace}/publishing-assets.json`,
      promptCount: 3,
    })),
    detectLayout: track('detectLayout', async ({ startS, endS }) => ({
      layoutPath: `${workspace}/layout.json`,
      segments: [{ startS, endS, layout: 'side_by_side' as const, strategy: 'stack_halves' as const }],
    })),
    renderSegments: track('renderSegments', async () => ({ segmentPaths: [`${workspace}/segments/segment-000.mp4`] })),
    assembleReel: track('assembleReel', async () => ({ reelPath: `${workspace}/reel.mp4`, durationS: 75 })),
    deliver: track('deliver', async ({ workflowId }) => ({
      outputDir: `/stand-in/output/${workflowId}`,
      reelPath: `/stand-in/output/${workflowId}/reel.mp4`,
      assetsPath: `/stand-in/output/${workflowId}/publishing-assets.json`,
    })),
    appendEvents: track('appendEvents', async (input) => {
      events.push(...input.events);
    }),
  };
  return { activities, calls, events, failNext };
}

/** A failure that is not the input's fault: the run should wait for `resume`. */
export function crash(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'STAND_IN_CRASH', message, nonRetryable: true });
}
