/**
 * reelPipeline: long source video → best 60–90 s moment → vertical 9:16 reel plus publishing copy.
 * Each stage is an activity; crash recovery and resume come from the workflow's event history.
 *
 * The stages are shared with episodes (src/workflows/episode.ts): `analyseSource` (ROUTER,
 * RESEARCH) runs once per source, `renderClip` (CONTENT → DELIVERY) once per clip. Splitting them
 * into functions changes no command, so recorded reel runs replay as before.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type { Directives } from '../domain/directives';
import type { RenderOptions } from '../domain/render';
import type { BrollJob, BrollSettings } from '../domain/broll';
import type { ReelRequest, ReelResult, ResearchResult, RouterResult, TranscriptResult } from '../domain/reel';
import { ReelRequestSchema } from '../domain/reel';
import type { HostQueues } from '../domain/hosts';
import type { ActivityRoute } from './activityRoutes';
import { HOST_AFFINITY_PATCH, HOST_FAILOVER_PATCH, RunRoute } from './activityRoutes';
import { BrollGate } from './brollGate';
import { hostLostOf, PipelineRun } from './pipelineRun';
import { renderOptionsOf } from '../domain/episode';
import type { GatedStage } from './qaGate';
import { passQaGate } from './qaGate';
import { PipelineStage } from './stages';
import { transcribeWithSpeechWorker } from './transcribeStage';

/** Where a run's activities go: its host's queues once pinned (src/workflows/activityRoutes.ts). */
export type Route = ActivityRoute & { host?: HostQueues };

export async function reelPipeline(input: ReelRequest): Promise<ReelResult> {
  // Before validation, so even a run with a bad input is found by its search attributes.
  const route = new RunRoute();
  const run = new PipelineRun('reel', PipelineStage.ROUTER, (events) => route.light.appendEvents(events));
  return run.execute(() => reel(run, route, run.validate(ReelRequestSchema, input, 'reelPipeline')));
}

/** Runs a stage through its QA gate (runs recorded before QA gates existed replay without one). */
export type Gate = <R>(stage: PipelineStage, gated: GatedStage<R>) => Promise<R>;

export function qaGates(
  run: PipelineRun,
  { light }: Route,
): { gate: Gate; keep: (artifactPath: string) => Promise<{ path: string }> } {
  const gates = patched('qa-gates');
  const gate: Gate = (stage, gated) =>
    run.stage(stage, () => (gates ? passQaGate(run, stage, gated) : gated.produce({ attempt: 1, feedback: [] }, [])));
  const keep = (artifactPath: string) => light.keepArtifact({ artifactPath });
  return { gate, keep };
}

/** What ROUTER and RESEARCH learned of a source: read once, whether one reel or an episode follows. */
export interface AnalysedSource {
  routed: RouterResult;
  research: ResearchResult;
  workspace: string;
  /** The local file later stages read. */
  source: string;
  directives?: Directives;
  topic?: string;
  durationS?: number;
}

/** ROUTER and RESEARCH (with the speech worker when the source has no subtitles). */
export async function analyseSource(
  run: PipelineRun,
  { light, media }: Route,
  request: ReelRequest,
  { gate, keep }: ReturnType<typeof qaGates>,
  /** An episode's clip count (its estimate counts each clip's copy and B-roll). */
  reels?: number,
): Promise<AnalysedSource> {
  const { workflowId } = workflowInfo();
  const routed = await gate(PipelineStage.ROUTER, {
    produce: (rework) => light.router({ workflowId, request, ...(reels ? { reels } : {}), ...rework }),
    check: (r) => light.qaCheck({ stage: 'ROUTER', artifactPath: r.directivesPath ?? '', notes: r.notes }),
    artifact: { path: (r) => r.directivesPath ?? '', withPath: (r, directivesPath) => ({ ...r, directivesPath }) },
    keep,
  });
  const { workspace } = routed;
  run.progress.workspace = workspace;
  const directives = routed.directives;
  const topic = directives?.topic ?? request.topic;
  const durationS = directives?.durationS ?? request.durationS;

  // Runs recorded before the speech worker existed never call it.
  const speech = patched('speech-worker') ? { speech: true, transcribe: request.transcribe } : {};
  const research = await gate(PipelineStage.RESEARCH, {
    produce: async (rework) =>
      transcribeWithSpeechWorker(
        await media.research({ workspace, source: routed.source, transcript: routed.transcript, ...speech, ...rework }),
        light,
      ),
    check: (r) =>
      light.qaCheck({
        stage: 'RESEARCH',
        artifactPath: r.transcriptPath,
        sourceDurationS: r.info.durationS,
        reworkable: r.transcriptOrigin === 'transcribed',
      }),
    artifact: { path: (r) => r.transcriptPath, withPath: (r, transcriptPath) => ({ ...r, transcriptPath }) },
    keep,
  });
  // A downloaded source lives in the workspace; older results have no sourcePath.
  const source = research.sourcePath ?? routed.source;
  return {
    routed,
    research,
    workspace,
    source,
    ...(directives ? { directives } : {}),
    ...(topic !== undefined ? { topic } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
  };
}

async function reel(run: PipelineRun, route: RunRoute, request: ReelRequest): Promise<ReelResult> {
  // Its handlers (retryBroll, cancelBroll, the broll query) answer from the run's start.
  const broll = new BrollGate(run);
  // The host that answers keeps the workspace: every later activity goes to its queues.
  if (patched(HOST_AFFINITY_PATCH)) await route.pin(request.host);
  run.failover = patched(HOST_FAILOVER_PATCH) && route.host !== undefined;
  let moved: BrollAfterMove = {};
  for (;;) {
    try {
      return await reelOnHost(run, route, request, broll, moved);
    } catch (err) {
      const lost = hostLostOf(err);
      if (!run.failover || !lost) throw err;
      // Every file of the run is on the lost host: the stages run again on another one, from the
      // source and the request (in history). B-roll the lost host started is never submitted again.
      if (broll.started) moved = brollAfterMove(broll.jobs, moved);
      await run.moveHost(
        route,
        lost,
        {
          ...(moved.brollAdopted ? { brollAdopted: moved.brollAdopted.length } : {}),
          ...(moved.brollDropped ? { brollDropped: moved.brollDropped } : {}),
        },
        { adoptedClips: moved.brollAdopted?.length ?? 0 },
      );
    }
  }
}

/** What a moved run does with the B-roll its lost host started. */
export interface BrollAfterMove {
  /** The lost child's jobs: accepted ones are downloaded again on the new host, none submitted again. */
  brollAdopted?: BrollJob[];
  /** No B-roll at all, and why. */
  brollDropped?: string;
}

export function brollAfterMove(jobs: BrollJob[], earlier: BrollAfterMove): BrollAfterMove {
  // The parent learns the table from the child's reports: with none, what was sent is unknown
  // (unless an earlier move's table is all this child had: it adopted exactly that).
  if (jobs.length > 0) return { brollAdopted: jobs };
  if (earlier.brollAdopted) return earlier;
  return {
    brollDropped: 'B-roll had started on the lost host and reported nothing; its clips are not submitted again',
  };
}

/** Every stage of a reel on the run's current host. */
async function reelOnHost(
  run: PipelineRun,
  route: RunRoute,
  request: ReelRequest,
  broll: BrollGate,
  moved: BrollAfterMove,
): Promise<ReelResult> {
  const { light, media } = route;
  const gates = qaGates(run, route);
  const { gate, keep } = gates;
  const analysed = await analyseSource(run, route, request, gates);
  const { routed, research, workspace, source, directives, topic, durationS } = analysed;
  const moment = await gate<TranscriptResult>(PipelineStage.TRANSCRIPT, {
    produce: (rework, earlier) =>
      media.pickMoment({
        workspace,
        source,
        transcriptPath: research.transcriptPath,
        sourceDurationS: research.info.durationS,
        topic,
        durationS,
        avoid: earlier.map(({ startS, endS }) => ({ startS, endS })),
        ...rework,
      }),
    check: (r) =>
      light.qaCheck({
        stage: 'TRANSCRIPT',
        artifactPath: r.momentPath,
        transcriptPath: research.transcriptPath,
        durationS,
        topic,
        notes: r.notes,
      }),
    artifact: { path: (r) => r.momentPath, withPath: (r, momentPath) => ({ ...r, momentPath }) },
    keep,
  });
  const settings = routed.broll;
  return renderClip(run, route, gates, broll, {
    workspace,
    source,
    moment,
    ...(topic !== undefined ? { topic } : {}),
    // Runs recorded before ROUTER decided the count carried the request's own number beside it.
    clipCount: run.strict ? settings.clipCount : (request.clips ?? settings.clipCount),
    settings,
    ...(directives ? { directives } : {}),
    ...(routed.directivesPath ? { directivesPath: routed.directivesPath } : {}),
    ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
    render: renderOptionsOf(request),
    ...moved,
  });
}

/** What one clip's stages need: its moment, the source, and the run's settings. */
export interface ClipPlan {
  workspace: string;
  source: string;
  moment: TranscriptResult;
  topic?: string;
  clipCount: number;
  settings: BrollSettings;
  directives?: Pick<Directives, 'narrative' | 'transition'>;
  directivesPath?: string;
  maxCostUsd?: number;
  /** Caption style, aspect preset and hook title, passed to the render activities. */
  render: RenderOptions;
  /** Why this clip gets no B-roll (its generation started on a lost host): no child is started. */
  brollDropped?: string;
  /** The B-roll jobs of a lost host's child, taken over instead of new submissions. */
  brollAdopted?: BrollJob[];
}

/**
 * One clip's stages, CONTENT → LAYOUT_DETECTIVE → FFMPEG_ENGINEER → VEO3_AWAIT → ASSEMBLY →
 * DELIVERY, with its own B-roll child: a reel's last six stages, and an episode clip's whole run.
 */
export async function renderClip(
  run: PipelineRun,
  route: Route,
  { gate, keep }: ReturnType<typeof qaGates>,
  broll: BrollGate,
  plan: ClipPlan,
): Promise<ReelResult> {
  const { workflowId } = workflowInfo();
  const { light, media } = route;
  const { workspace, source, moment, topic, clipCount, settings, directives } = plan;
  // Only the options the request gave reach the activities: the renderer applies its defaults.
  const { captions, aspect, hook } = plan.render;
  const content = await gate(PipelineStage.CONTENT, {
    produce: (rework) =>
      light.writePublishingAssets({
        workspace,
        momentPath: moment.momentPath,
        topic,
        clips: clipCount,
        ...(directives?.narrative ? { narrative: directives.narrative } : {}),
        ...rework,
      }),
    check: (r) =>
      light.qaCheck({
        stage: 'CONTENT',
        artifactPath: r.assetsPath,
        momentPath: moment.momentPath,
        maxPrompts: clipCount,
        notes: r.notes,
      }),
    artifact: { path: (r) => r.assetsPath, withPath: (r, assetsPath) => ({ ...r, assetsPath }) },
    keep,
  });
  // B-roll renders in a child workflow while the picture stages run; VEO3_AWAIT collects it.
  await broll.start({
    runId: workflowId,
    workspace,
    prompts: plan.brollDropped ? [] : content.veo3Prompts.slice(0, clipCount),
    aspectRatio: settings.aspectRatio,
    pollInitialS: settings.pollInitialS,
    pollMaxS: settings.pollMaxS,
    budget: { runId: workflowId, ...(plan.maxCostUsd !== undefined ? { maxCostUsd: plan.maxCostUsd } : {}) },
    // The B-roll child keeps its submit intents in the workspace: it follows the run's host.
    ...(route.host ? { host: route.host } : {}),
    ...(plan.brollAdopted ? { adopted: plan.brollAdopted } : {}),
  });
  const layout = await run.stage(PipelineStage.LAYOUT_DETECTIVE, () =>
    media.detectLayout({ workspace, source, startS: moment.startS, endS: moment.endS, ...(aspect ? { aspect } : {}) }),
  );
  const rendered = await run.stage(PipelineStage.FFMPEG_ENGINEER, () =>
    media.renderSegments({
      workspace,
      source,
      segments: layout.segments,
      ...(directives?.transition ? { transition: directives.transition } : {}),
      // What the one encode in ASSEMBLY draws: captions from the moment, the frame, the hook title.
      momentPath: moment.momentPath,
      ...(plan.directivesPath ? { directivesPath: plan.directivesPath } : {}),
      ...(captions ? { captions } : {}),
      ...(aspect ? { aspect } : {}),
      ...(hook ? { hook } : {}),
    }),
  );
  const clips = await run.stage(PipelineStage.VEO3_AWAIT, () => broll.await(settings.timeoutS));
  const assembled = await run.stage(PipelineStage.ASSEMBLY, () =>
    media.assembleReel({
      workspace,
      segmentPaths: rendered.segmentPaths,
      audioPath: rendered.audioPath,
      momentPath: moment.momentPath,
      clips,
      ...(plan.directivesPath ? { directivesPath: plan.directivesPath } : {}),
      ...(rendered.planPath ? { planPath: rendered.planPath } : {}),
    }),
  );
  const delivered = await run.stage(PipelineStage.DELIVERY, () =>
    light.deliver({
      workspace,
      workflowId,
      reelPath: assembled.reelPath,
      assetsPath: content.assetsPath,
      stages: run.progress.stages.map(({ stage, durationMs, attempts, qa }) => ({
        stage,
        attempts,
        ...(durationMs === undefined ? {} : { durationMs }),
        ...(qa?.length ? { qa: qa.map(({ verdict, score }) => ({ verdict, score })) } : {}),
      })),
      ...(run.progress.cost ? { cost: run.progress.cost } : {}),
      ...(run.progress.hostChanges ? { hostChanges: run.progress.hostChanges } : {}),
    }),
  );
  const { webhook } = delivered;
  if (webhook && webhook.status !== 'not_configured') {
    run.emit(`pipeline.webhook.${webhook.status}`, PipelineStage.DELIVERY, { ...webhook });
  }
  run.complete();
  await run.flushEvents();

  return {
    workflowId,
    workspace,
    reelPath: delivered.reelPath,
    assetsPath: delivered.assetsPath,
    durationS: assembled.durationS,
    moment: { startS: moment.startS, endS: moment.endS },
    broll: {
      requested: Math.min(content.veo3Prompts.length, clipCount),
      generated: clips.length,
      placed: assembled.brollPlaced,
    },
  };
}
