/**
 * reelPipeline: long source video → best 60–90 s moment → vertical 9:16 reel plus publishing copy.
 * Each stage is an activity; crash recovery and resume come from the workflow's event history.
 */
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';
import type { ReelRequest, ReelResult } from '../domain/reel';
import { ReelRequestSchema } from '../domain/reel';
import { parseWith } from '../domain/validation';
import { BrollGate } from './brollGate';
import { PipelineRun } from './pipelineRun';
import { PipelineStage } from './stages';

const retry = { maximumAttempts: 3, initialInterval: '2s', nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES };

/** Fast local work: file checks, JSON artifacts, events. */
const light = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry });

/** ffmpeg work: long, so it heartbeats and a dead worker is noticed within a minute. */
const media = proxyActivities<Activities>({ startToCloseTimeout: '45 minutes', heartbeatTimeout: '1 minute', retry });

export async function reelPipeline(input: ReelRequest): Promise<ReelResult> {
  const parsed = parseWith(ReelRequestSchema, input);
  if (!parsed.ok) {
    throw ApplicationFailure.create({
      type: ErrorType.INVALID_REQUEST,
      message: `invalid reelPipeline input: ${parsed.message}`,
      nonRetryable: true,
    });
  }
  const request = parsed.value;
  const { workflowId } = workflowInfo();
  const run = new PipelineRun('reel', PipelineStage.ROUTER, light.appendEvents);
  const broll = new BrollGate(run);

  const routed = await run.stage(PipelineStage.ROUTER, () => light.router({ workflowId, request }));
  const { workspace } = routed;
  run.progress.workspace = workspace;

  const research = await run.stage(PipelineStage.RESEARCH, () =>
    media.research({ workspace, source: routed.source, transcript: routed.transcript }),
  );
  const moment = await run.stage(PipelineStage.TRANSCRIPT, () =>
    light.pickMoment({
      workspace,
      transcriptPath: research.transcriptPath,
      sourceDurationS: research.info.durationS,
      topic: request.topic,
      durationS: request.durationS,
    }),
  );
  const content = await run.stage(PipelineStage.CONTENT, () =>
    light.writePublishingAssets({
      workspace,
      momentPath: moment.momentPath,
      topic: request.topic,
      clips: request.clips,
    }),
  );
  // B-roll renders in a child workflow while the picture stages run; VEO3_AWAIT collects it.
  const settings = routed.broll;
  const clipCount = request.clips ?? settings.clipCount;
  await broll.start({
    runId: workflowId,
    workspace,
    prompts: content.veo3Prompts.slice(0, clipCount),
    aspectRatio: settings.aspectRatio,
    pollInitialS: settings.pollInitialS,
    pollMaxS: settings.pollMaxS,
  });
  const layout = await run.stage(PipelineStage.LAYOUT_DETECTIVE, () =>
    media.detectLayout({ workspace, source: routed.source, startS: moment.startS, endS: moment.endS }),
  );
  const rendered = await run.stage(PipelineStage.FFMPEG_ENGINEER, () =>
    media.renderSegments({ workspace, source: routed.source, segments: layout.segments }),
  );
  const clips = await run.stage(PipelineStage.VEO3_AWAIT, () => broll.await(settings.timeoutS));
  const assembled = await run.stage(PipelineStage.ASSEMBLY, () =>
    media.assembleReel({
      workspace,
      segmentPaths: rendered.segmentPaths,
      audioPath: rendered.audioPath,
      momentPath: moment.momentPath,
      clips,
    }),
  );
  const delivered = await run.stage(PipelineStage.DELIVERY, () =>
    light.deliver({
      workspace,
      workflowId,
      reelPath: assembled.reelPath,
      assetsPath: content.assetsPath,
      stages: run.progress.stages.map(({ stage, durationMs, attempts }) => ({
        stage,
        attempts,
        ...(durationMs === undefined ? {} : { durationMs }),
      })),
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
