import { describe, expect, it } from 'vitest';
import { formatProgress, stageLogger } from '../../src/cli/runs';
import type { Progress, StageRecord } from '../../src/domain/progress';

const stage = (qa: StageRecord['qa'], status: StageRecord['status'] = 'completed'): StageRecord => ({
  stage: 'CONTENT',
  status,
  startedAt: '2026-01-01T00:00:00Z',
  durationMs: 1200,
  attempts: 1,
  ...(qa ? { qa } : {}),
});
const progress = (record: StageRecord): Progress => ({
  kind: 'reel',
  workflowId: 'reel-x',
  stage: 'CONTENT',
  status: 'RUNNING',
  startedAt: '2026-01-01T00:00:00Z',
  stages: [record],
  events: [],
});
const rework = {
  attempt: 1,
  artifactPath: '/w/a.json',
  verdict: 'REWORK' as const,
  score: 0.5,
  feedback: ['anchor missing'],
};
const pass = { attempt: 2, artifactPath: '/w/a.attempt-2.json', verdict: 'PASS' as const, score: 1, feedback: [] };

describe('progress as text', () => {
  it('shows QA attempts only when a stage needed rework', () => {
    expect(formatProgress(progress(stage([{ ...pass, attempt: 1 }])))).not.toContain('QA');
    const text = formatProgress(progress(stage([rework, pass])));
    expect(text).toContain('QA attempt 1: REWORK (score 0.5) — anchor missing');
    expect(text).toContain('QA attempt 2: PASS (score 1)');
  });

  it('says when a run moved to another host, why, and what became of its B-roll', () => {
    const moved = (change: Partial<NonNullable<Progress['hostChanges']>[number]>) =>
      formatProgress({
        ...progress(stage(undefined)),
        hostChanges: [
          { at: '2026-01-01T00:01:00Z', from: 'a', to: 'b', stage: 'LAYOUT_DETECTIVE', reason: 'gone', ...change },
        ],
      });
    expect(formatProgress(progress(stage(undefined)))).not.toContain('Moved');
    expect(moved({ brollAdopted: 2 })).toContain(
      'Moved from host a to b at LAYOUT_DETECTIVE: gone; every stage ran again on b, taking over 2 B-roll clip(s)',
    );
    expect(moved({ brollDropped: 'nothing reported' })).toContain('ran again on b (nothing reported).');
  });

  it('prints a rework as it arrives while following a run', () => {
    const lines: string[] = [];
    const log = stageLogger((line) => lines.push(line));
    const first = progress(stage([], 'running'));
    log(first);
    log(progress(stage([rework], 'running')), first);
    expect(lines).toEqual(['▶ CONTENT', '  ↻ CONTENT QA attempt 1: REWORK (score 0.5) — anchor missing']);
    const warned = { ...pass, attempt: 1, warnings: ['instructions not understood: add sparkle'] };
    log(progress(stage([rework, warned], 'completed')), progress(stage([rework], 'running')));
    expect(lines.at(-2)).toBe('  ! CONTENT QA warning: instructions not understood: add sparkle');
    expect(formatProgress(progress(stage([warned])))).toContain('QA warning: instructions not understood');
  });
});
