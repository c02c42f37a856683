/**
 * promptToVideo: prompt → STORYBOARD → KEYFRAMES → VIDEO_GEN → STITCH. VIDEO_GEN runs the same
 * clip-generation child workflow as B-roll (image-to-video from each scene's key frames). A stage
 * that fails waits for `resume`; a resumed VIDEO_GEN generates only the scenes still missing.
 *
 * restitchVideo: stitches a finished video's clips again (say, with another crossfade) without
 * generating anything.
 */
import { ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import { ErrorType } from '../domain/errors';
import type { PipelineStatus } from '../domain/progress';
import type { StitchResult, RestitchInput, VideoRequest, VideoRequestInput, VideoResult } from '../domain/video';
import { RestitchInputSchema, VideoRequestSchema } from '../domain/video';
import { parseWith } from '../domain/validation';
import { HOST_AFFINITY_PATCH, RunRoute, sharedRoute } from './activityRoutes';
import { BrollGate } from './brollGate';
import { PipelineRun } from './pipelineRun';

// restitchVideo works on the shared queue: it does not know which host holds the video's clips.
const { media } = sharedRoute();

export const VideoStage = {
  STORYBOARD: 'STORYBOARD',
  KEYFRAMES: 'KEYFRAMES',
  VIDEO_GEN: 'VIDEO_GEN',
  STITCH: 'STITCH',
} as const;
const PHASES: Record<string, string> = {
  PENDING: 'pending',
  STORYBOARD: 'storyboarding',
  KEYFRAMES: 'keyframing',
  VIDEO_GEN: 'video_gen',
  STITCH: 'stitching',
  COMPLETED: 'complete',
};
const phaseOf = (stage: string, status: PipelineStatus) =>
  status === 'FAILED' ? 'failed' : (PHASES[stage] ?? stage.toLowerCase());

export async function promptToVideo(input: VideoRequestInput): Promise<VideoResult> {
  // Before validation, so even a run with a bad input is found by its search attributes.
  const route = new RunRoute();
  const run = new PipelineRun('video', VideoStage.STORYBOARD, (events) => route.light.appendEvents(events), phaseOf);
  return run.execute(() => video(run, route, run.validate(VideoRequestSchema, input, 'promptToVideo')));
}

async function video(run: PipelineRun, route: RunRoute, request: VideoRequest): Promise<VideoResult> {
  const { workflowId } = workflowInfo();
  // The host that answers keeps the workspace: every later activity goes to its queues.
  if (patched(HOST_AFFINITY_PATCH)) await route.pin();
  const { light, media } = route;
  const gate = new BrollGate(run, { childName: 'clips', stage: VideoStage.VIDEO_GEN, autoRetry: false });

  const board = await run.stage(VideoStage.STORYBOARD, () => light.writeStoryboard({ workflowId, request }));
  const { workspace, scenes, settings } = board;
  run.progress.workspace = workspace;
  const keyframes = await run.stage(VideoStage.KEYFRAMES, () =>
    media.renderKeyframes({ workspace, scenes, aspectRatio: request.aspectRatio }),
  );

  // Kept across VIDEO_GEN attempts: a resumed stage generates only what is still missing.
  const clips = new Map<number, string>();
  const refused = new Map<number, string>();
  let attempt = 0;
  await run.stage(VideoStage.VIDEO_GEN, async () => {
    const wanted = scenes.filter((scene) => !clips.has(scene.index) && !refused.has(scene.index));
    if (wanted.length === 0) return;
    attempt += 1;
    await gate.start({
      // A resumed attempt needs new idempotent keys: the provider must make new jobs, not return the failed ones.
      runId: attempt > 1 ? `${workflowId}.${attempt}` : workflowId,
      workspace,
      aspectRatio: request.aspectRatio,
      pollInitialS: settings.pollInitialS,
      pollMaxS: settings.pollMaxS,
      maxConcurrent: settings.maxConcurrent,
      ...(route.host ? { host: route.host } : {}),
      budget: { runId: workflowId, ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}) },
      prompts: wanted.map((scene) => {
        const frames = keyframes.frames.find((f) => f.index === scene.index)!;
        return {
          variant: `scene-${scene.index}`,
          prompt: scene.motion_prompt,
          duration_s: request.clipDurationS,
          narrative_anchor: '',
          start_image: frames.start,
          last_image: frames.end,
        };
      }),
    });
    await gate.await(settings.timeoutS);
    const failed: string[] = [];
    for (const scene of wanted) {
      const job = gate.jobs.find((j) => j.variant === `scene-${scene.index}`);
      if (job?.status === 'done' && job.video_path) clips.set(scene.index, job.video_path);
      else if (job?.status === 'rai_filtered')
        refused.set(scene.index, job.error_message ?? 'filtered by the safety filter');
      else
        failed.push(
          `scene ${scene.index}: ${job?.status ?? 'not generated'}${job?.error_message ? ` (${job.error_message})` : ''}`,
        );
    }
    if (failed.length > 0) {
      // Not the run's end: the stage shows FAILED and waits for `resume`, keeping the clips it has.
      throw ApplicationFailure.create({ type: 'VIDEO_GEN_INCOMPLETE', message: failed.join('; '), nonRetryable: true });
    }
  });

  const clipPaths = scenes.filter((scene) => clips.has(scene.index)).map((scene) => clips.get(scene.index)!);
  if (clipPaths.length === 0) {
    throw ApplicationFailure.create({
      type: ErrorType.INVALID_REQUEST,
      message: 'every scene was refused by the safety filter: change the prompt',
      nonRetryable: true,
    });
  }
  const stitched: StitchResult = await run.stage(VideoStage.STITCH, () =>
    media.stitchVideo({ workspace, workflowId, clipPaths, crossfadeS: request.crossfadeS }),
  );
  run.complete();
  await run.flushEvents();

  const { startedAt, completedAt } = run.progress;
  return {
    workflowId,
    workspace,
    videoPath: stitched.deliveredPath,
    durationS: stitched.durationS,
    aspectRatio: request.aspectRatio,
    clipPaths,
    missingScenes: [...refused.entries()].map(([index, reason]) => ({ index, status: 'rai_filtered', reason })),
    startedAt,
    completedAt: completedAt!,
    totalDurationMs: Date.parse(completedAt!) - Date.parse(startedAt),
    stages: run.progress.stages.map(({ stage, durationMs, attempts }) => ({
      stage,
      attempts,
      ...(durationMs === undefined ? {} : { durationMs }),
    })),
  };
}

export async function restitchVideo(raw: RestitchInput): Promise<StitchResult> {
  const parsed = parseWith(RestitchInputSchema, raw);
  if (!parsed.ok) {
    throw ApplicationFailure.create({
      type: ErrorType.INVALID_REQUEST,
      message: `invalid restitchVideo input: ${parsed.message}`,
      nonRetryable: true,
    });
  }
  const input = parsed.value;
  const name = `video-crossfade-${input.crossfadeS.toFixed(2)}.mp4`;
  return media.stitchVideo({
    workspace: input.workspace,
    workflowId: input.videoWorkflowId,
    clipPaths: input.clipPaths,
    crossfadeS: input.crossfadeS,
    name,
  });
}
