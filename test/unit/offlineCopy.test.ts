import { describe, expect, it } from 'vitest';
import { PublishingAssetsSchema } from '../../src/domain/reel';
import { keywords, OFFLINE_TEXT_GENERATOR, offlinePublishingAssets } from '../../src/providers/offlineCopy';
import { PODCAST_LINES } from '../../src/dev/podcastScript';

const moment = {
  startS: 10,
  endS: 85,
  score: 5,
  breakdown: {},
  cues: PODCAST_LINES.slice(8, 24).map((line, i) => ({ startS: 10 + i * 4.5, endS: 14 + i * 4.5, text: line.text })),
};

describe('offline publishing copy', () => {
  it('passes the schema, says it is offline, and has three distinct descriptions', () => {
    const assets = offlinePublishingAssets(moment, { maxPrompts: 3 });
    expect(PublishingAssetsSchema.parse(assets)).toBeTruthy();
    expect(assets.generator).toBe(OFFLINE_TEXT_GENERATOR);
    expect(new Set(assets.descriptions).size).toBe(3);
  });

  it('quotes every narrative anchor from the moment’s transcript', () => {
    const text = moment.cues.map((cue) => cue.text).join(' ');
    const assets = offlinePublishingAssets(moment, { maxPrompts: 3 });
    expect(assets.veo3_prompts).toHaveLength(3);
    for (const prompt of assets.veo3_prompts) expect(text).toContain(prompt.narrative_anchor);
  });

  it('writes as many prompts as asked, intro first and outro last', () => {
    expect(offlinePublishingAssets(moment, { maxPrompts: 8 }).veo3_prompts.map((p) => p.variant)).toEqual([
      'intro',
      'broll',
      'broll',
      'broll',
      'broll',
      'broll',
      'broll',
      'outro',
    ]);
    expect(offlinePublishingAssets(moment, { maxPrompts: 0 }).veo3_prompts).toEqual([]);
  });

  it('uses the topic when one is given', () => {
    expect(offlinePublishingAssets(moment, { topic: 'rate limits', maxPrompts: 1 }).descriptions[0]).toContain(
      'rate limits',
    );
  });

  it('ranks content words by frequency, folding plurals together', () => {
    expect(keywords('clips clips render render render the and workflow', 2)).toEqual(['render', 'clips']);
    expect(keywords('clip clips clip render render workflow', 2)).toEqual(['clip', 'render']);
  });
});
