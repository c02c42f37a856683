/**
 * promptToVideo: prompt → STORYBOARD → KEYFRAMES → VIDEO_GEN → STITCH. VIDEO_GEN runs the same
 * clip-generation child workflow as B-roll (image-to-video from each scene's key frames). A stage
 * that fails waits for `resume`; a resumed VIDEO_GEN generates only the scenes still missing. A run
 * whose host is lost moves to another host: the storyboard comes from history, the clips the
 * provider accepted are taken over (downloaded again, never submitted again), and key frames are
 * drawn there only for scenes that still need submitting.
 *
 * restitchVideo: stitches a finished video's clips again (say, with another crossfade) without
 * generating anything.
 */
import { ApplicationFailure, ChildWorkflowFailure, patched, workflowInfo } from '@temporalio/workflow';
import type { BrollJob, ClipPrompt } from '../domain/broll';
import { ErrorType } from '../domain/errors';
import type { PipelineStatus } from '../domain/progress';
import type {
  KeyframesResult,
  StitchResult,
  StoryboardResult,
  RestitchInput,
  VideoRequest,
  VideoRequestInput,
  VideoResult,
} from '../domain/video';
import { RestitchInputSchema, VideoRequestSchema } from '../domain/video';
import { parseWith } from '../domain/validation';
import { HOST_AFFINITY_PATCH, RunRoute, sharedRoute } from './activityRoutes';
import { BrollGate } from './brollGate';
import { idempotentKeys, pendingJob } from './brollJobs';
import { hostLostOf, hostLostReason, PipelineRun } from './pipelineRun';

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

/** The patch that moves a video whose host stopped picking up its work to another host; older runs wait for resume. */
export const VIDEO_HOST_FAILOVER_PATCH = 'video-host-failover';

/** What a run keeps across VIDEO_GEN attempts and host moves. */
interface VideoState {
  /** STORYBOARD's answer: a moved run writes it on its new host instead of asking the model again. */
  board?: StoryboardResult;
  /** Scene → its clip on the current host; a resumed stage generates only what is still missing. */
  clips: Map<number, string>;
  /** Scene → why the safety filter refused it (settled: never generated again). */
  refused: Map<number, string>;
  attempt: number;
  /** Variant → the latest job of every round, and what each round asked: what a move takes over. */
  jobs: Map<string, BrollJob>;
  asked: Map<string, { key: string; prompt: ClipPrompt }>;
}

async function video(run: PipelineRun, route: RunRoute, request: VideoRequest): Promise<VideoResult> {
  // The host that answers keeps the workspace: every later activity goes to its queues.
  if (patched(HOST_AFFINITY_PATCH)) await route.pin();
  run.failover = patched(VIDEO_HOST_FAILOVER_PATCH) && route.host !== undefined;
  const gate = new BrollGate(run, { childName: 'clips', stage: VideoStage.VIDEO_GEN, autoRetry: false });
  const state: VideoState = { clips: new Map(), refused: new Map(), attempt: 0, jobs: new Map(), asked: new Map() };
  let adopted: BrollJob[] = [];
  for (;;) {
    try {
      return await videoOnHost(run, route, request, gate, state, adopted);
    } catch (err) {
      const lost = hostLostOf(err);
      if (!run.failover || !lost) throw err;
      // Every file of the run is on the lost host: the stages run again on another one from the
      // request and the storyboard (both in history); clips the provider took are downloaded again
      // there, never submitted again.
      adopted = jobsAfterMove(state, gate.jobs, new Date().toISOString());
      state.clips.clear();
      await run.moveHost(route, lost, adopted.length ? { brollAdopted: adopted.length } : {}, {
        adoptedClips: adopted.length,
      });
    }
  }
}

/**
 * The jobs a moved run takes over: the latest of each scene from every round, and for a scene its
 * round asked for but never reported, a job whose submission may have reached the provider (it
 * becomes submit_unknown: a person decides, see adoptJob).
 */
function jobsAfterMove(state: VideoState, current: BrollJob[], at: string): BrollJob[] {
  for (const job of current) state.jobs.set(job.variant, job);
  for (const [variant, { key, prompt }] of state.asked) {
    if (!state.jobs.has(variant)) state.jobs.set(variant, pendingJob(key, prompt, at));
  }
  return [...state.jobs.values()].filter((job) => !state.refused.has(sceneIndexOf(job.variant)));
}

const sceneVariant = (index: number) => `scene-${index}`;
const sceneIndexOf = (variant: string) => Number(variant.slice('scene-'.length));

/** Every stage of a video on the run's current host; `adopted`: the jobs of a lost host, taken over. */
async function videoOnHost(
  run: PipelineRun,
  route: RunRoute,
  request: VideoRequest,
  gate: BrollGate,
  state: VideoState,
  adopted: BrollJob[],
): Promise<VideoResult> {
  const { workflowId } = workflowInfo();
  const { light, media } = route;
  const known = state.board;
  const board = await run.stage(VideoStage.STORYBOARD, () =>
    known
      ? light.restoreStoryboard({ workflowId, request, board: known })
      : light.writeStoryboard({ workflowId, request }),
  );
  state.board = board;
  const { workspace, scenes, settings } = board;
  run.progress.workspace = workspace;
  // Key frames are drawn when a scene needs submitting: at once on a run's first host, and on a new
  // host only if a scene has no job to take over.
  let keyframes: KeyframesResult | undefined;
  const framesFor = async () =>
    (keyframes ??= await run.stage(VideoStage.KEYFRAMES, () =>
      media.renderKeyframes({ workspace, scenes, aspectRatio: request.aspectRatio }),
    ));
  if (adopted.length === 0) await framesFor();

  await run.stage(VideoStage.VIDEO_GEN, async () => {
    const { clips, refused } = state;
    const wanted = scenes.filter((scene) => !clips.has(scene.index) && !refused.has(scene.index));
    if (wanted.length === 0) return;
    const taking = adopted.filter((job) => wanted.some((scene) => sceneVariant(scene.index) === job.variant));
    adopted = [];
    let prompts: ClipPrompt[];
    let runId: string;
    if (taking.length > 0) {
      prompts = taking.map((job) => state.asked.get(job.variant)!.prompt);
      runId = `${workflowId}.moved`;
    } else {
      state.attempt += 1;
      // A resumed attempt needs new idempotent keys: the provider must make new jobs, not return the failed ones.
      runId = state.attempt > 1 ? `${workflowId}.${state.attempt}` : workflowId;
      const frames = await framesFor();
      prompts = wanted.map((scene) => {
        const f = frames.frames.find((x) => x.index === scene.index)!;
        return {
          variant: sceneVariant(scene.index),
          prompt: scene.motion_prompt,
          duration_s: request.clipDurationS,
          narrative_anchor: '',
          start_image: f.start,
          last_image: f.end,
        };
      });
      const keys = idempotentKeys(runId, prompts);
      prompts.forEach((prompt, i) => state.asked.set(prompt.variant, { key: keys[i]!, prompt }));
    }
    await gate.start({
      runId,
      workspace,
      aspectRatio: request.aspectRatio,
      pollInitialS: settings.pollInitialS,
      pollMaxS: settings.pollMaxS,
      maxConcurrent: settings.maxConcurrent,
      ...(route.host ? { host: route.host } : {}),
      budget: { runId: workflowId, ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}) },
      prompts,
      ...(taking.length > 0 ? { adopted: taking } : {}),
    });
    await gate.await(settings.timeoutS);
    for (const job of gate.jobs) state.jobs.set(job.variant, job);
    // The child failed because the host stopped picking up its work: the run moves (stage() says so).
    const childLost = gate.childFailure instanceof ChildWorkflowFailure ? gate.childFailure.cause : undefined;
    if (run.failover && hostLostReason(childLost)) throw childLost;
    const failed: string[] = [];
    for (const scene of wanted) {
      const job = gate.jobs.find((j) => j.variant === sceneVariant(scene.index));
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

  const { clips, refused } = state;
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
