/**
 * The reel pipeline's stages, in order. The workflow runs them in this order; the CLI, the API and
 * the tests read the names from here. (A closed run's stage is COMPLETED, FAILED or CANCELLED:
 * see ClosedStage in pipelineRun.ts.)
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
} as const;
export type PipelineStage = (typeof PipelineStage)[keyof typeof PipelineStage];

/** The stages a reel run works through, in order. */
export const REEL_STAGE_SEQUENCE: readonly PipelineStage[] = Object.values(PipelineStage);
