import { describe, expect, it } from 'vitest';
import { formatRuns } from '../../src/cli/runs';

describe('reelflow list, as text', () => {
  it('has a header, and a closed run shows its ending once (status), not again as its stage', () => {
    const text = formatRuns([
      {
        workflowId: 'reel-talk-1',
        kind: 'reel',
        status: 'RUNNING',
        stage: 'LAYOUT_DETECTIVE',
        startedAt: 't1',
        execution: 'RUNNING',
      },
      {
        workflowId: 'reel-talk-2',
        kind: 'reel',
        status: 'FAILED',
        stage: 'FAILED',
        startedAt: 't2',
        execution: 'FAILED',
      },
    ]);
    const [header, running, failed] = text.split('\n').map((line) => line.split(/\s+/));
    expect(header).toEqual(['RUN', 'KIND', 'STATUS', 'STAGE', 'STARTED']);
    expect(running).toEqual(['reel-talk-1', 'reel', 'RUNNING', 'LAYOUT_DETECTIVE', 't1']);
    expect(failed).toEqual(['reel-talk-2', 'reel', 'FAILED', '—', 't2']);
    expect(formatRuns([])).toBe('no runs');
  });
});
