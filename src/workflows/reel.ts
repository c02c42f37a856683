/**
 * reelPipeline: long source video → best 60–90 s moment → vertical 9:16 reel plus publishing copy.
 * Each stage is an activity; crash recovery and resume come from the workflow's event history.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type { ReelRequest, ReelResult, TranscriptResult } from '../domain/reel';
import { ReelRequestSchema } from '../domain/reel';
import { HOST_AFFINITY_PATCH, RunRoute } from './activityRoutes';
import { BrollGate } from './brollGate';
import { PipelineRun } from './pipelineRun';
import type { GatedStage } from './qaGate';
import { passQaGate } from './qaGate';
import { PipelineStage } from './stages';
import { transcribeWithSpeechWorker } from './transcribeStage';

export async function reelPipeline(input: ReelRequest): Promise<ReelResult> {
  // Before validation, so even a run with a bad input is found by its search attributes.
  const route = new RunRoute();
  const run = new PipelineRun('reel', PipelineStage.ROUTER, (events) => route.light.appendEvents(events));
  return run.execute(() => reel(run, route, run.validate(ReelRequestSchema, input, 'reelPipeline')));
}

async function reel(run: PipelineRun, route: RunRoute, request: ReelRequest): Promise<ReelResult> {
  const { workflowId } = workflowInfo();
  // The host that answers keeps the workspace: every later activity goes to its queues.
  if (patched(HOST_AFFINITY_PATCH)) await route.pin();
  const { light, media } = route;
  const broll = new BrollGate(run);

  // Runs recorded before QA gates existed replay without them.
  const gates = patched('qa-gates');
  const gate = <R>(stage: PipelineStage, gated: GatedStage<R>) =>
    run.stage(stage, () => (gates ? passQaGate(run, stage, gated) : gated.produce({ attempt: 1, feedback: [] }, [])));
  const keep = (artifactPath: string) => light.keepArtifact({ artifactPath });

  const routed = await gate(PipelineStage.ROUTER, {
    produce: (rework) => light.router({ workflowId, request, ...rework }),
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
  // Runs recorded before ROUTER decided the count carried the request's own number beside it.
  const clipCount = run.strict ? settings.clipCount : (request.clips ?? settings.clipCount);
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
    prompts: content.veo3Prompts.slice(0, clipCount),
    aspectRatio: settings.aspectRatio,
    pollInitialS: settings.pollInitialS,
    pollMaxS: settings.pollMaxS,
    budget: { runId: workflowId, ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}) },
    ...(route.host ? { host: route.host } : {}),
  });
  const layout = await run.stage(PipelineStage.LAYOUT_DETECTIVE, () =>
    media.detectLayout({ workspace, source, startS: moment.startS, endS: moment.endS }),
  );
  const rendered = await run.stage(PipelineStage.FFMPEG_ENGINEER, () =>
    media.renderSegments({
      workspace,
      source,
      segments: layout.segments,
      ...(directives?.transition ? { transition: directives.transition } : {}),
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
      ...(routed.directivesPath ? { directivesPath: routed.directivesPath } : {}),
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
