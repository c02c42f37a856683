import { describe, expect, it } from 'vitest';
import { PipelineStage, REEL_STAGE_SEQUENCE, successEvent, transition } from '../../src/workflows/stages';

describe('stage model', () => {
  it('orders the reel stages from ROUTER to DELIVERY', () => {
    expect(REEL_STAGE_SEQUENCE).toEqual([
      'ROUTER',
      'RESEARCH',
      'TRANSCRIPT',
      'CONTENT',
      'LAYOUT_DETECTIVE',
      'FFMPEG_ENGINEER',
      'VEO3_AWAIT',
      'ASSEMBLY',
      'DELIVERY',
    ]);
  });

  it('moves CONTENT to LAYOUT_DETECTIVE on qa_pass and VEO3_AWAIT to ASSEMBLY on stage_complete', () => {
    expect(transition(PipelineStage.CONTENT, 'qa_pass')).toBe(PipelineStage.LAYOUT_DETECTIVE);
    expect(transition(PipelineStage.FFMPEG_ENGINEER, 'stage_complete')).toBe(PipelineStage.VEO3_AWAIT);
    expect(transition(PipelineStage.VEO3_AWAIT, 'stage_complete')).toBe(PipelineStage.ASSEMBLY);
    expect(transition(PipelineStage.DELIVERY, 'stage_complete')).toBe(PipelineStage.COMPLETED);
  });

  it('walks the whole sequence with each stage’s success event', () => {
    const visited: string[] = [];
    let stage: PipelineStage = PipelineStage.ROUTER;
    while (stage !== PipelineStage.COMPLETED) {
      visited.push(stage);
      stage = transition(stage, successEvent(stage as (typeof REEL_STAGE_SEQUENCE)[number]));
    }
    expect(visited).toEqual([...REEL_STAGE_SEQUENCE]);
  });

  it('keeps a reworked stage in place and fails on qa_fail or stage_failed', () => {
    expect(transition(PipelineStage.CONTENT, 'qa_rework')).toBe(PipelineStage.CONTENT);
    expect(transition(PipelineStage.TRANSCRIPT, 'qa_fail')).toBe(PipelineStage.FAILED);
    expect(transition(PipelineStage.ASSEMBLY, 'stage_failed')).toBe(PipelineStage.FAILED);
  });

  it('rejects transitions that cannot happen', () => {
    expect(() => transition(PipelineStage.VEO3_AWAIT, 'qa_pass')).toThrow(/does not apply/);
    expect(() => transition(PipelineStage.ROUTER, 'stage_complete')).toThrow(/does not apply/);
    expect(() => transition(PipelineStage.DELIVERY, 'qa_rework')).toThrow(/does not apply/);
    expect(() => transition(PipelineStage.COMPLETED, 'stage_complete')).toThrow(/no transition/);
  });
});
