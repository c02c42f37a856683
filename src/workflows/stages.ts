/**
 * The reel pipeline's stage model: names, order, and the transitions between them. Pure, so the
 * workflow, the CLI and the tests share one definition.
 */
export const PipelineStage = {
  ROUTER: 'ROUTER',
  RESEARCH: 'RESEARCH',
  TRANSCRIPT: 'TRANSCRIPT',
  CONTENT: 'CONTENT',
  LAYOUT_DETECTIVE: 'LAYOUT_DETECTIVE',
  FFMPEG_ENGINEER: 'FFMPEG_ENGINEER',
  VEO3_AWAIT: 'VEO3_AWAIT',
  ASSEMBLY: 'ASSEMBLY',
  DELIVERY: 'DELIVERY',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
} as const;
export type PipelineStage = (typeof PipelineStage)[keyof typeof PipelineStage];

/** The stages a reel run works through, in order. */
export const REEL_STAGE_SEQUENCE = [
  PipelineStage.ROUTER,
  PipelineStage.RESEARCH,
  PipelineStage.TRANSCRIPT,
  PipelineStage.CONTENT,
  PipelineStage.LAYOUT_DETECTIVE,
  PipelineStage.FFMPEG_ENGINEER,
  PipelineStage.VEO3_AWAIT,
  PipelineStage.ASSEMBLY,
  PipelineStage.DELIVERY,
] as const;
export type WorkStage = (typeof REEL_STAGE_SEQUENCE)[number];

/**
 * Stages whose artifact passes a QA gate before the run moves on (src/workflows/qaGate.ts). The
 * rest just complete: the layout and render stages meet their rules by construction.
 */
export const QA_GATED_STAGES: ReadonlySet<PipelineStage> = new Set([
  PipelineStage.ROUTER,
  PipelineStage.RESEARCH,
  PipelineStage.TRANSCRIPT,
  PipelineStage.CONTENT,
]);

export type StageEvent = 'qa_pass' | 'qa_rework' | 'qa_fail' | 'stage_complete' | 'stage_failed';

/** The event that moves a stage forward when its work succeeds. */
export function successEvent(stage: WorkStage): StageEvent {
  return QA_GATED_STAGES.has(stage) ? 'qa_pass' : 'stage_complete';
}

/**
 * The stage that follows `stage` on `event`. Throws on a pair that cannot happen, so a bug in the
 * workflow shows up as a clear error instead of a run in a nonsense state.
 */
export function transition(stage: PipelineStage, event: StageEvent): PipelineStage {
  const index = (REEL_STAGE_SEQUENCE as readonly PipelineStage[]).indexOf(stage);
  if (index < 0) throw new Error(`no transition out of ${stage}`);
  const gated = QA_GATED_STAGES.has(stage);
  switch (event) {
    case 'qa_pass':
    case 'stage_complete': {
      if ((event === 'qa_pass') !== gated) throw new Error(`${event} does not apply to ${stage}`);
      return REEL_STAGE_SEQUENCE[index + 1] ?? PipelineStage.COMPLETED;
    }
    case 'qa_rework':
      if (!gated) throw new Error(`qa_rework does not apply to ${stage}`);
      return stage;
    case 'qa_fail':
      if (!gated) throw new Error(`qa_fail does not apply to ${stage}`);
      return PipelineStage.FAILED;
    case 'stage_failed':
      return PipelineStage.FAILED;
  }
}
