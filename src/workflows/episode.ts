/**
 * episodeClips: one source → its N best distinct moments → one clip per moment. The source is
 * analysed once (ROUTER, RESEARCH, the moment scoring in TRANSCRIPT); each clip is a child
 * workflow (`episodeClip`: CONTENT → … → DELIVERY with its own B-roll child), at most
 * `parallelClips` at a time. A clip failing never fails the others: the episode ends when every
 * clip has delivered, waits for `resume` on its own workflow, or has failed, and says which.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  defineSignal,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
  condition,
} from '@temporalio/workflow';
import type {
  ClipProgress,
  ClipRequest,
  EpisodeClip,
  EpisodeMoment,
  EpisodeMomentsResult,
  EpisodeRequest,
  EpisodeResult,
  ParsedEpisodeRequest,
} from '../domain/episode';
import {
  clipWorkflowId,
  costOf,
  EpisodeRequestSchema,
  reelRequestOf,
  renderOptionsOf,
  resumeCommand,
} from '../domain/episode';
import type { ReelResult } from '../domain/reel';
import { BrollGate } from './brollGate';
import type { HostLost } from './pipelineRun';
import { describeFailure, HOST_LOST, hostLostOf, hostLostReason, PipelineRun } from './pipelineRun';
import type { BrollAfterMove, Route } from './reel';
import { meterResult } from './meter';
import { analyseSource, brollAfterMove, qaGates, renderClip } from './reel';
import { hostRoute, RunRoute, sharedRoute } from './activityRoutes';
import { PipelineStage } from './stages';

/** Child → episode: a clip's stage or status changed. */
export const clipProgressSignal = defineSignal<[ClipProgress]>('clipProgress');

/** The episode's stage while its clips render (between TRANSCRIPT and DELIVERY). */
export const CLIPS_STAGE = 'CLIPS';

export async function episodeClips(input: EpisodeRequest): Promise<EpisodeResult> {
  // Before validation, so even an episode with a bad input is found by its search attributes.
  const route = new RunRoute();
  const run = new PipelineRun('episode', PipelineStage.ROUTER, (events) => route.light.appendEvents(events));
  return run.execute(() => episode(run, route, run.validate(EpisodeRequestSchema, input, 'episodeClips')));
}

/** The patch that moves an episode whose host is lost to another host; older episodes wait for resume. */
export const EPISODE_FAILOVER_PATCH = 'episode-failover';

/** What an episode keeps across a move to another host (all of it from history). */
interface EpisodeState {
  /** The moments TRANSCRIPT picked (windows, ranks, scores, hooks, reasons): restored on a new host, never picked again. */
  picked?: Omit<EpisodeMoment, 'momentPath'>[];
  /** The ranked table: delivered clips stay delivered; clips the lost host had start again. */
  clips?: EpisodeClip[];
  /** Per clip rank, the B-roll its run on the lost host started (taken over, never submitted again). */
  broll: Map<number, BrollAfterMove>;
}

async function episode(run: PipelineRun, route: RunRoute, request: ParsedEpisodeRequest): Promise<EpisodeResult> {
  // The host that answers keeps the episode's files; its clips work there too.
  await route.pin(request.host);
  run.failover = patched(EPISODE_FAILOVER_PATCH) && route.host !== undefined;
  const state: EpisodeState = { broll: new Map() };
  for (;;) {
    try {
      return await episodeOnHost(run, route, request, state);
    } catch (err) {
      const lost = hostLostOf(err);
      if (!run.failover || !lost) throw err;
      // Every file of the episode is on the lost host: analysis runs again on another one from the
      // request, the picked moments and the delivered clips come from history.
      const restarting = (state.clips ?? []).filter((clip) => clip.status === 'pending').map((clip) => clip.rank);
      await run.moveHost(route, lost, {}, { restartingClips: restarting });
    }
  }
}

/** Every stage of an episode on its current host. */
async function episodeOnHost(
  run: PipelineRun,
  route: RunRoute,
  request: ParsedEpisodeRequest,
  state: EpisodeState,
): Promise<EpisodeResult> {
  const { workflowId } = workflowInfo();
  const { light, media } = route;
  const gates = qaGates(run, route);
  const { routed, research, workspace, source, directives, topic, durationS } = await analyseSource(
    run,
    route,
    reelRequestOf(request),
    gates,
    request.count,
  );
  const earlier = state.picked;
  const picked = earlier
    ? await run.stage(PipelineStage.TRANSCRIPT, () =>
        light.restoreMoments({
          workspace,
          transcriptPath: research.transcriptPath,
          ...(topic !== undefined ? { topic } : {}),
          moments: earlier,
        }),
      )
    : await gates.gate<EpisodeMomentsResult>(PipelineStage.TRANSCRIPT, {
        produce: (rework) =>
          media.pickMoments({
            workspace,
            source,
            transcriptPath: research.transcriptPath,
            sourceDurationS: research.info.durationS,
            topic,
            durationS,
            count: request.count,
            ...rework,
          }),
        check: (r) =>
          light.qaCheck({
            stage: 'EPISODE_MOMENTS',
            artifactPath: r.momentsPath,
            transcriptPath: research.transcriptPath,
            durationS,
            topic,
            ...(r.notes ? { notes: r.notes } : {}),
          }),
        artifact: { path: (r) => r.momentsPath, withPath: (r, momentsPath) => ({ ...r, momentsPath }) },
        keep: gates.keep,
      });
  if (!earlier && picked.moments.length < request.count) {
    run.emit('episode.moments.fewer_than_asked', PipelineStage.TRANSCRIPT, {
      asked: request.count,
      found: picked.moments.length,
    });
  }
  state.picked = picked.moments.map(({ momentPath: _path, ...moment }) => moment);
  const clips: EpisodeClip[] =
    state.clips ??
    picked.moments.map(({ momentPath: _path, ...moment }) => ({
      ...moment,
      workflowId: clipWorkflowId(workflowId, moment.rank),
      status: 'pending',
    }));
  state.clips = clips;
  run.progress.clips = clips;
  setHandler(clipProgressSignal, (update) => {
    const clip = clips.find((c) => c.rank === update.rank);
    // A pending clip has no run: a report now is a late one from a run that lost its host.
    if (!clip || clip.status === 'delivered' || clip.status === 'failed' || clip.status === 'pending') return;
    clip.stage = update.stage;
    if (update.costUsd !== undefined) clip.costUsd = update.costUsd;
    if (update.awaitingResume) {
      clip.status = 'waiting';
      if (update.error) clip.error = update.error;
    } else {
      clip.status = 'running';
      delete clip.error;
    }
  });

  const { parallelClips } = await light.episodeSettings();
  const plan = (moment: EpisodeMoment): ClipRequest => ({
    episodeId: workflowId,
    rank: moment.rank,
    source,
    momentPath: moment.momentPath,
    startS: moment.startS,
    endS: moment.endS,
    ...(topic !== undefined ? { topic } : {}),
    ...(routed.directivesPath ? { directivesPath: routed.directivesPath } : {}),
    directives: {
      ...(directives?.narrative ? { narrative: directives.narrative } : {}),
      ...(directives?.transition ? { transition: directives.transition } : {}),
    },
    broll: routed.broll,
    ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
    render: renderOptionsOf(request),
    ...(route.host ? { host: route.host } : {}),
    ...(run.failover ? { movesWithEpisode: true } : {}),
    ...state.broll.get(moment.rank),
  });

  await run.stage(CLIPS_STAGE, async () => {
    // A moved episode starts only the clips its lost host had not delivered.
    const queue = picked.moments.filter((moment) => clips[moment.rank - 1]!.status === 'pending');
    let lost: HostLost | undefined;
    // Bounded parallelism: each slot takes the next clip when its own clip delivers or waits; once a
    // clip has lost the host, no slot starts another there.
    const slot = async () => {
      for (let moment = queue.shift(); moment && !lost; moment = queue.shift()) {
        const hostLost = await runClip(run, clips[moment.rank - 1]!, plan(moment));
        if (hostLost) {
          lost ??= hostLost.lost;
          state.broll.set(moment.rank, hostLost.broll);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallelClips, queue.length) }, slot));
    if (lost) {
      throw ApplicationFailure.create({
        type: HOST_LOST,
        message: `clip ${lost.stage}: ${lost.reason}`,
        nonRetryable: true,
      });
    }
    const counts = Object.fromEntries(
      ['delivered', 'waiting', 'failed'].map((status) => [status, clips.filter((c) => c.status === status).length]),
    );
    run.emit('episode.clips.settled', CLIPS_STAGE, counts);
  });

  const index = await run.stage(PipelineStage.DELIVERY, () =>
    light.writeEpisodeIndex({ workflowId, source: request.source, clips }),
  );
  run.complete();
  await run.flushEvents();
  return {
    workflowId,
    indexPath: index.indexPath,
    indexJsonPath: index.indexJsonPath,
    clips,
    waiting: clips
      .filter((clip) => clip.status === 'waiting')
      .map((clip) => ({ workflowId: clip.workflowId, command: resumeCommand(clip.workflowId) })),
  };
}

/** A clip that ended because its host was lost: where and why, and the B-roll its run had started. */
interface ClipHostLost {
  lost: HostLost;
  broll: BrollAfterMove;
}

/** The details of a clip workflow's host_lost failure (see `episodeClip`). */
function clipHostLostOf(err: unknown): ClipHostLost | undefined {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== HOST_LOST) return undefined;
  return cause.details?.[0] as ClipHostLost | undefined;
}

/**
 * Starts one clip's workflow and returns when it has delivered, failed, or waits for `resume`.
 * Its workflow outlives the episode (ABANDON), so a waiting clip can still be resumed later.
 */
async function runClip(run: PipelineRun, clip: EpisodeClip, request: ClipRequest): Promise<ClipHostLost | undefined> {
  clip.status = 'running';
  let hostLost: ClipHostLost | undefined;
  try {
    const child = await startChild(episodeClip, {
      workflowId: clip.workflowId,
      args: [request],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    run.emit('episode.clip.started', CLIPS_STAGE, { rank: clip.rank, workflowId: clip.workflowId });
    const finished = child.result().then(
      (result: ReelResult) => {
        clip.status = 'delivered';
        clip.stage = 'COMPLETED';
        clip.reelPath = result.reelPath;
        clip.durationS = result.durationS;
        delete clip.error;
        run.emit('episode.clip.delivered', CLIPS_STAGE, { rank: clip.rank, reelPath: result.reelPath });
      },
      (err: unknown) => {
        hostLost = request.movesWithEpisode ? clipHostLostOf(err) : undefined;
        if (hostLost) {
          // Not delivered: it starts again once the episode has moved.
          clip.status = 'pending';
          clip.error = `${hostLost.lost.stage}: ${hostLost.lost.reason}`;
          run.emit('episode.clip.host_lost', CLIPS_STAGE, { rank: clip.rank, ...hostLost.lost });
          return;
        }
        clip.status = 'failed';
        clip.error = describeFailure(err).message;
        run.emit('episode.clip.failed', CLIPS_STAGE, { rank: clip.rank, error: clip.error });
      },
    );
    const waiting = () => clip.status === 'waiting';
    await Promise.race([finished, condition(waiting)]);
    if (waiting()) {
      run.emit('episode.clip.waiting', CLIPS_STAGE, {
        rank: clip.rank,
        stage: clip.stage,
        command: resumeCommand(clip.workflowId),
      });
    }
  } catch (err) {
    clip.status = 'failed';
    clip.error = describeFailure(err).message;
    run.emit('episode.clip.failed', CLIPS_STAGE, { rank: clip.rank, error: clip.error });
  }
  await run.flushEvents();
  return hostLost;
}

/**
 * One clip of an episode: its own workspace and run (PipelineKind `clip`), the same stages as a
 * reel from CONTENT on. It reports each stage change to its episode.
 */
export async function episodeClip(request: ClipRequest): Promise<ReelResult> {
  const route: Route = request.host ? { ...hostRoute(request.host), host: request.host } : sharedRoute();
  const { light } = route;
  const run = new PipelineRun('clip', PipelineStage.CONTENT, light.appendEvents);
  const broll = new BrollGate(run);
  const { workflowId, parent } = workflowInfo();
  run.progress.episodeId = request.episodeId;
  if (parent) {
    const episodeHandle = getExternalWorkflowHandle(parent.workflowId);
    run.onStageChange = (progress) => {
      const update: ClipProgress = {
        rank: request.rank,
        stage: progress.stage,
        awaitingResume: progress.awaitingResume === true,
        ...(progress.error ? { error: progress.error } : {}),
        ...(progress.cost ? { costUsd: costOf(progress.cost) } : {}),
      };
      // The episode may have closed (a clip resumed later): its table was final then.
      episodeHandle.signal(clipProgressSignal, update).catch(() => undefined);
    };
  }
  // A clip that moves with its episode ends on a lost host instead of waiting for it.
  run.failover = request.movesWithEpisode === true;
  const earlier: BrollAfterMove = {
    ...(request.brollAdopted ? { brollAdopted: request.brollAdopted } : {}),
    ...(request.brollDropped ? { brollDropped: request.brollDropped } : {}),
  };
  return run.execute(async () => {
    try {
      const prepared = await light.prepareClip({
        workflowId,
        episodeId: request.episodeId,
        rank: request.rank,
        momentPath: request.momentPath,
        clipCount: request.broll.clipCount,
        ...(request.directives?.narrative?.pacing ? { pacing: request.directives.narrative.pacing } : {}),
      });
      run.progress.workspace = prepared.workspace;
      // The clip's own estimate (its copy and B-roll), shown beside what it spends.
      meterResult(run.progress, prepared);
      return await renderClip(run, route, qaGates(run, route), broll, {
        workspace: prepared.workspace,
        source: request.source,
        moment: { momentPath: prepared.momentPath, startS: request.startS, endS: request.endS },
        ...(request.topic !== undefined ? { topic: request.topic } : {}),
        clipCount: request.broll.clipCount,
        settings: request.broll,
        ...(request.directives ? { directives: request.directives } : {}),
        ...(request.directivesPath ? { directivesPath: request.directivesPath } : {}),
        ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
        render: request.render,
        ...earlier,
      });
    } catch (err) {
      // prepareClip runs before any stage: its host lost is said here.
      const reason = run.failover ? hostLostReason(err) : undefined;
      const lost = hostLostOf(err) ?? (reason ? { stage: 'PREPARE', reason } : undefined);
      if (!run.failover || !lost) throw err;
      // The episode starts this clip again on another host, taking over what B-roll it started here.
      const details: ClipHostLost = { lost, broll: broll.started ? brollAfterMove(broll.jobs, earlier) : earlier };
      throw ApplicationFailure.create({
        type: HOST_LOST,
        message: `${lost.stage}: ${lost.reason}`,
        nonRetryable: true,
        details: [details],
      });
    }
  });
}
