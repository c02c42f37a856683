import { describe, expect, it } from 'vitest';
import { runWorkflowId, slugify } from '../../src/domain/ids';

describe('workflow ids', () => {
  it('name the run by kind and a slug of its source', () => {
    expect(runWorkflowId('reel', 'My Podcast — Episode #12', 'a1b2c3')).toBe('reel-my-podcast-episode-12-a1b2c3');
  });

  it('keep slugs short, safe for paths, and never empty', () => {
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('x'.repeat(50))).toHaveLength(24);
    expect(slugify('a lighthouse keeper climbs the stairs')).toBe('a-lighthouse-keeper');
    expect(slugify('???')).toBe('run');
  });
});
