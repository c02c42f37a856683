import { describe, expect, it } from 'vitest';
import { PublishingAssetsSchema } from '../../src/domain/reel';
import {
  hashtags,
  keyPhrases,
  keywords,
  OFFLINE_TEXT_GENERATOR,
  offlinePublishingAssets,
} from '../../src/providers/offlineCopy';
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

  // The demo's best clip once had #rate: half of "rate limits", the term its moment is about.
  const demoClip =
    'So the fix is to write everything to disk? Partly. But hand written checkpoint files rot quickly. They drift from ' +
    'the code. What do you use instead? A durable workflow engine. Every step is recorded in an event history. If a ' +
    'worker crashes, another worker replays the history and carries on. And the finished steps are not repeated? ' +
    'Exactly. Their results are already in the history. Nothing is paid for twice. Let us talk about rate limits. ' +
    'Those drive people crazy. A rate limit is not an error. It is the provider asking you to wait.';

  it('finds terms of two words that recur inside sentences, folding plurals, never across a sentence end', () => {
    expect(keyPhrases(demoClip, 3)).toEqual(['rate limits']);
    // Twice is a term, once is not, and words that meet across a full stop are no term.
    expect(keyPhrases('Our event history. Nothing else. Event history nothing changes.', 3)).toEqual(['event history']);
  });

  it('tags whole terms: the phrase, never one of its words alone, with or without a topic', () => {
    const tags = hashtags(demoClip, undefined, 5);
    expect(tags).toEqual(['#podcast', '#ratelimits', '#history', '#step', '#worker']);
    expect(tags).not.toContain('#rate');
    expect(tags).not.toContain('#limit');
    // The topic is a term of its own, said once even when the moment repeats it.
    expect(hashtags(demoClip, 'rate limits', 5)).toEqual(['#podcast', '#ratelimits', '#history', '#step', '#worker']);
    expect(hashtags(demoClip, 'Durable workflows', 3)).toEqual(['#podcast', '#durableworkflows', '#ratelimits']);
  });

  it('gives the copy the same whole-term hashtags, each once and valid for the schema', () => {
    const cues = [{ startS: 0, endS: 40, text: demoClip }];
    const assets = offlinePublishingAssets({ startS: 0, endS: 40, score: 1, breakdown: {}, cues }, { maxPrompts: 1 });
    expect(assets.hashtags).toEqual(hashtags(demoClip, undefined, 5));
    expect(PublishingAssetsSchema.parse(assets).hashtags).toHaveLength(5);
  });
});
