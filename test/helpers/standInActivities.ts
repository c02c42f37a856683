/**
 * Stand-in activities for testing workflow logic only (order, progress, failures, resume, the
 * B-roll gate). They return well-formed results at once, count their calls, and follow a script
 * for each B-roll clip. The real activities are tested on real media and the real SDK in
 * test/activities, test/providers and test/e2e.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Activities as AllActivities } from '../../src/activities';

/** The reel flow's activities (the video flow is tested with real activities). */
type Activities = Omit<AllActivities, 'writeStoryboard' | 'restoreStoryboard' | 'renderKeyframes' | 'stitchVideo'>;
import type { PollResult } from '../../src/domain/broll';
import type { BrollClip, BrollSettings, JobStatus } from '../../src/domain/broll';
import type { PipelineEvent } from '../../src/domain/progress';
import type { QaCheckInput, QaVerdict } from '../../src/domain/qa';
import { artifactName } from '../../src/domain/qa';
import type { Veo3Prompt } from '../../src/domain/reel';

/** How one clip behaves: what each submission attempt does, then how polling ends. */
export interface ClipScript {
  /** Outcome of submission 1, 2, …; the last entry repeats. Default: ['ok']. */
  submits?: ('ok' | 'rate_limited' | 'invalid_argument' | 'submit_failed' | 'submit_unknown' | 'over_budget')[];
  /** Polls that answer "running" before the outcome. Default 1. */
  pollsBeforeOutcome?: number;
  /** Default 'done'; 'hang' never finishes. */
  outcome?: 'done' | 'hang' | Exclude<JobStatus, 'pending' | 'submitted' | 'done'>;
}

export interface StandInOptions {
  prompts?: Veo3Prompt[];
  broll?: Partial<BrollSettings>;
  /** Scripts by prompt variant. */
  clips?: Record<string, ClipScript>;
  /** Where DELIVERY claims to put reels (default /stand-in/output). */
  outputDir?: string;
  /** Episodes: how many moments pickMoments finds (default: as many as asked). */
  episodeMoments?: number;
  /** Episodes: LAYOUT_DETECTIVE crashes for the moments starting at these times (until `failingLayouts` is emptied). */
  failingLayouts?: number[];
  /** Episodes: how many clips render at once (default 2). */
  parallelClips?: number;
  /** QA verdicts by stage, one per attempt (the last repeats); default PASS with score 1. */
  qa?: Partial<Record<QaCheckInput['stage'], QaVerdict[]>>;
}

export interface StandIns {
  activities: Activities;
  calls: Record<string, number>;
  events: PipelineEvent[];
  /** Make an activity throw (once per entry) before it succeeds. */
  failNext: Partial<Record<keyof Activities, ApplicationFailure[]>>;
  /** Submission keys in the order they reached the "provider". */
  submissions: string[];
  /** Artifacts the QA gate published under their own name (keepArtifact), in order. */
  kept: string[];
  /** What DELIVERY was given. */
  delivered: { assetsPath: string }[];
  /** What each QA check was asked, in order. */
  qaChecks: QaCheckInput[];
  /** The rework requests each stage activity received, in order. */
  reworks: { activity: string; attempt?: number; feedback?: string[]; avoid?: unknown[] }[];
  /** The clips ASSEMBLY was given. */
  assembledClips: BrollClip[][];
  /** Resolve to let FFMPEG_ENGINEER finish (it waits for this when `holdRender` is set). */
  releaseRender: () => void;
  holdRender: boolean;
}

export const THREE_PROMPTS: Veo3Prompt[] = [
  { variant: 'intro', prompt: 'harbour at dawn', narrative_anchor: 'welcome back', duration_s: 4 },
  { variant: 'broll', prompt: 'server racks', narrative_anchor: 'the memory dies', duration_s: 6 },
  { variant: 'outro', prompt: 'city at night', narrative_anchor: 'thank you', duration_s: 4 },
];

export function standInActivities(options: StandInOptions = {}): StandIns {
  const calls: Record<string, number> = {};
  const events: PipelineEvent[] = [];
  const failNext: StandIns['failNext'] = {};
  const submissions: string[] = [];
  const qaChecks: QaCheckInput[] = [];
  const reworks: StandIns['reworks'] = [];
  const kept: string[] = [];
  const delivered: { assetsPath: string }[] = [];
  const assembledClips: BrollClip[][] = [];
  const polls = new Map<string, number>();
  const operations = new Map<string, { variant: string }>();
  let release: () => void = () => {};
  const renderGate = new Promise<void>((resolve) => (release = resolve));
  const self = {} as StandIns;

  const track = <K extends keyof Activities>(name: K, impl: Activities[K]): Activities[K] =>
    (async (...args: never[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      const failure = failNext[name]?.shift();
      if (failure) throw failure;
      return (impl as (...a: never[]) => unknown)(...args);
    }) as Activities[K];

  /** Records a stage's rework request; spreads nothing into the result. */
  const note = (activity: string, rework: Omit<StandIns['reworks'][number], 'activity'>) => {
    reworks.push({ activity, ...rework });
    return {};
  };
  const script = (variant: string): ClipScript => options.clips?.[variant] ?? {};
  const variantOfKey = (key: string) => key.split('_').slice(-1)[0]!.replace(/-\d+$/, '');
  const workspace = '/stand-in/runs/x';

  const activities: Activities = {
    // No host queues here: a stand-in worker serves everything on the test's queue.
    claimHost: track('claimHost', () => Promise.resolve(null)),
    hostAlive: track('hostAlive', () => Promise.resolve({ hostId: 'stand-in' })),
    // Stand-in runs keep no files on any host.
    listRunFiles: track('listRunFiles', () => Promise.resolve([])),
    readRunFile: track('readRunFile', () => Promise.resolve(null)),
    router: track('router', async ({ request, attempt, feedback }) => ({
      ...note('router', { attempt, feedback }),
      workspace,
      source: request.source,
      directivesPath: `${workspace}/${artifactName('directives.json', attempt ?? 1)}`,
      broll: {
        clipCount: 3,
        // Generous: only the timeout test lets the gate's timer decide, and it controls what is ready first.
        timeoutS: 600,
        aspectRatio: '9:16' as const,
        pollInitialS: 0.1,
        pollMaxS: 0.4,
        ...options.broll,
      },
    })),
    research: track('research', async ({ attempt, feedback }) => ({
      ...note('research', { attempt, feedback }),
      info: { durationS: 180, width: 1920, height: 1080, fps: 25, hasAudio: true },
      transcriptPath: `${workspace}/${artifactName('transcript.json', attempt ?? 1)}`,
      transcriptOrigin: 'sidecar' as const,
      cueCount: 40,
    })),
    speechTranscript: track('speechTranscript', async () => ({ cueCount: 40, wordCount: 400, model: 'stand-in' })),
    pickMoment: track('pickMoment', async ({ attempt, feedback, avoid }) => ({
      ...note('pickMoment', { attempt, feedback, avoid }),
      momentPath: `${workspace}/${artifactName('moment.json', attempt ?? 1)}`,
      // Each attempt picks a later window, as the real one does when told to avoid earlier picks.
      startS: 30 + 10 * ((attempt ?? 1) - 1),
      endS: 105 + 10 * ((attempt ?? 1) - 1),
    })),
    // An episode's moments: 75 s windows, 100 s apart, scores falling with rank.
    pickMoments: track('pickMoments', async ({ count, attempt }) => ({
      momentsPath: `${workspace}/${artifactName('moments.json', attempt ?? 1)}`,
      moments: Array.from({ length: Math.min(count, options.episodeMoments ?? count) }, (_, i) => ({
        rank: i + 1,
        score: 90 - 10 * i,
        hook: `Hook ${i + 1}`,
        reason: `reason ${i + 1}: "line ${i + 1}"`,
        startS: 100 * i,
        endS: 100 * i + 75,
        momentPath: `${workspace}/moments/moment-${i + 1}.json`,
      })),
    })),
    // A moved episode's moments, written into the new host's workspace from history.
    restoreMoments: track('restoreMoments', async ({ moments }) => ({
      momentsPath: `${workspace}/moments.json`,
      moments: moments.map((moment) => ({ ...moment, momentPath: `${workspace}/moments/moment-${moment.rank}.json` })),
    })),
    episodeSettings: track('episodeSettings', async () => ({ parallelClips: options.parallelClips ?? 2 })),
    prepareClip: track('prepareClip', async ({ workflowId }) => ({
      workspace: `/stand-in/runs/${workflowId}`,
      momentPath: `/stand-in/runs/${workflowId}/moment.json`,
    })),
    writeEpisodeIndex: track('writeEpisodeIndex', async ({ workflowId }) => ({
      indexPath: `/stand-in/output/${workflowId}/index.md`,
      indexJsonPath: `/stand-in/output/${workflowId}/index.json`,
    })),
    writePublishingAssets: track('writePublishingAssets', async ({ attempt, feedback }) => ({
      ...note('writePublishingAssets', { attempt, feedback }),
      assetsPath: `${workspace}/${artifactName('publishing-assets.json', attempt ?? 1)}`,
      veo3Prompts: options.prompts ?? [],
    })),
    detectLayout: track('detectLayout', async ({ startS, endS }) => {
      if (options.failingLayouts?.includes(startS)) throw crash(`stand-in layout crash at ${startS} s`);
      return {
        layoutPath: `${workspace}/layout.json`,
        segments: [{ startS, endS, layout: 'side_by_side' as const, strategy: 'stack_halves' as const }],
      };
    }),
    renderSegments: track('renderSegments', async () => {
      if (self.holdRender) await renderGate;
      return {
        segmentPaths: [`${workspace}/segments/segment-000.mp4`],
        audioPath: `${workspace}/segments/moment-audio.m4a`,
      };
    }),
    assembleReel: track('assembleReel', async ({ clips }) => {
      assembledClips.push(clips);
      return { reelPath: `${workspace}/reel.mp4`, durationS: 75, brollPlaced: clips.length, brollSkipped: [] };
    }),
    deliver: track('deliver', async ({ workflowId, assetsPath }) => {
      delivered.push({ assetsPath });
      return {
        outputDir: `${options.outputDir ?? '/stand-in/output'}/${workflowId}`,
        reelPath: `${options.outputDir ?? '/stand-in/output'}/${workflowId}/reel.mp4`,
        assetsPath: `${options.outputDir ?? '/stand-in/output'}/${workflowId}/publishing-assets.json`,
        summaryPath: `${options.outputDir ?? '/stand-in/output'}/${workflowId}/summary.md`,
        webhook: { status: 'not_configured' as const, attempts: 0 },
      };
    }),
    qaCheck: track('qaCheck', async (input) => {
      qaChecks.push(input);
      const script = options.qa?.[input.stage] ?? [];
      const index = qaChecks.filter((check) => check.stage === input.stage).length - 1;
      return script[Math.min(index, script.length - 1)] ?? { verdict: 'PASS' as const, score: 1, feedback: [] };
    }),
    keepArtifact: track('keepArtifact', async ({ artifactPath }) => {
      kept.push(artifactPath);
      return { path: artifactPath.replace(/\.attempt-\d+(\.json)$/, '$1') };
    }),
    appendEvents: track('appendEvents', async (input) => {
      events.push(...input.events);
    }),
    submitClip: track('submitClip', async ({ key }) => {
      const variant = variantOfKey(key.replace(/_r\d+$/, ''));
      const attempt = submissions.filter((k) => variantOfKey(k.replace(/_r\d+$/, '')) === variant).length;
      submissions.push(key);
      const plan = script(variant).submits ?? ['ok'];
      const result = plan[Math.min(attempt, plan.length - 1)]!;
      if (result !== 'ok')
        throw ApplicationFailure.create({ type: result, message: `stand-in ${result}`, nonRetryable: true });
      const operation = `op-${key}`;
      operations.set(operation, { variant });
      polls.set(operation, 0);
      return { operation, provider: 'stand-in', model: 'stand-in', costUsd: 0, pricedAs: 'offline' as const };
    }),
    pollClips: track('pollClips', async ({ jobs }) =>
      jobs.map((job): PollResult => {
        const { variant } = operations.get(job.operation)!;
        const count = (polls.get(job.operation) ?? 0) + 1;
        polls.set(job.operation, count);
        const s = script(variant);
        if (s.outcome === 'hang' || count <= (s.pollsBeforeOutcome ?? 1)) return { key: job.key, status: 'submitted' };
        const outcome = s.outcome ?? 'done';
        if (outcome === 'done')
          return { key: job.key, status: 'done', videoPath: `${workspace}/veo3/clips/${job.key}.mp4` };
        return { key: job.key, status: outcome, error: `stand-in ${outcome}` };
      }),
    ),
    recordBrollJobs: track('recordBrollJobs', async (input) => {
      events.push(...input.events);
    }),
  };
  Object.assign(self, {
    activities,
    calls,
    events,
    failNext,
    submissions,
    qaChecks,
    reworks,
    kept,
    delivered,
    assembledClips,
    releaseRender: () => release(),
    holdRender: false,
  });
  return self;
}

/** A failure that is not the input's fault: the run should wait for `resume`. */
export function crash(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'STAND_IN_CRASH', message, nonRetryable: true });
}
