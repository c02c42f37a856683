import { describe, expect, it } from 'vitest';
import { changedLines } from '../../src/cli/watch';

describe('reelflow watch on a pipe', () => {
  it('prints the first view whole, then only the lines a change brings, in order', () => {
    const first = ['reel-1  reel  RUNNING', '  ROUTER  done 0.4s', '  RESEARCH  running'].join('\n');
    const second = [
      'reel-1  reel  RUNNING',
      '  ROUTER  done 0.4s',
      '  RESEARCH  done 1.2s',
      '  TRANSCRIPT  running',
    ].join('\n');
    const last = [
      'reel-1  reel  COMPLETED',
      '  ROUTER  done 0.4s',
      '  RESEARCH  done 1.2s',
      '  TRANSCRIPT  done 3.0s',
    ].join('\n');
    expect(changedLines('', first)).toBe(first);
    expect(changedLines(first, second)).toBe('  RESEARCH  done 1.2s\n  TRANSCRIPT  running');
    expect(changedLines(second, last)).toBe('reel-1  reel  COMPLETED\n  TRANSCRIPT  done 3.0s');
    expect(changedLines(last, last)).toBe('');
  });
});
