import { describe, expect, it } from 'vitest';
import { canonicalArtifact, artifactName } from '../../src/domain/qa';
import { checkDirectives, checkMoment, checkPublishingAssets, checkTranscript } from '../../src/domain/qaRules';
import type { Cue, Moment, PublishingAssets } from '../../src/domain/reel';

const transcript: Cue[] = Array.from({ length: 30 }, (_, i) => ({
  startS: i * 5,
  endS: i * 5 + 4.8,
  text: i === 20 ? 'Latency is the whole game.' : `Sentence number ${i} ends here.`,
}));
const momentOf = (from: number, to: number, extra: Partial<Moment> = {}): Moment => ({
  startS: transcript[from]!.startS,
  endS: transcript[to]!.endS,
  score: 1,
  breakdown: {},
  cues: transcript.slice(from, to + 1),
  ...extra,
});

describe('TRANSCRIPT gate', () => {
  it('passes a 60–90 s moment that starts on a line and ends a sentence', () => {
    expect(checkMoment(momentOf(0, 13), { transcript })).toEqual({ verdict: 'PASS', score: 1, feedback: [] });
  });

  it('asks for rework with precise feedback', () => {
    const short = checkMoment(momentOf(0, 5), { transcript });
    expect(short.verdict).toBe('REWORK');
    expect(short.feedback).toEqual(['the moment is 29.8 s long; it must be 60–90 s']);
    expect(short.score).toBeLessThan(1);
    const midSentence = momentOf(0, 13);
    midSentence.cues = [...midSentence.cues.slice(0, -1), { ...midSentence.cues.at(-1)!, text: 'and then' }];
    expect(checkMoment(midSentence, { transcript }).feedback[0]).toContain('ends mid-sentence');
    // Unpunctuated captions end at pauses; the sentence rule does not apply.
    expect(checkMoment({ ...midSentence, boundary: 'pause' }, { transcript }).verdict).toBe('PASS');
  });

  it('insists on a topic the source discusses, even when it is mentioned once', () => {
    const away = checkMoment(momentOf(0, 13), { transcript, topic: 'latency' });
    expect(away.verdict).toBe('REWORK');
    expect(away.feedback[0]).toContain('"latency" is discussed in the source but not in this moment');
    expect(checkMoment(momentOf(10, 23), { transcript, topic: 'latency' }).verdict).toBe('PASS');
    expect(checkMoment(momentOf(0, 13), { transcript, topic: 'pricing' }).verdict).toBe('PASS');
  });

  it('turns a schema violation and stage notes into rework', () => {
    expect(checkMoment({ startS: 'zero' }, { transcript }).feedback[0]).toMatch(
      /^moment does not fit its schema: startS/,
    );
    const noted = checkMoment(momentOf(0, 13), { transcript }, ['the ranking model answer was malformed']);
    expect(noted).toMatchObject({ verdict: 'REWORK', feedback: ['the ranking model answer was malformed'] });
  });
});

describe('CONTENT gate', () => {
  const moment = momentOf(10, 23);
  const assets: PublishingAssets = {
    generator: 'test',
    descriptions: ['One.', 'Two.', 'Three.'],
    hashtags: ['#podcast', '#latency'],
    music_mood: 'calm',
    veo3_prompts: [
      { variant: 'intro', prompt: 'city', narrative_anchor: 'Latency is the whole game', duration_s: 4 },
      { variant: 'broll', prompt: 'sea', narrative_anchor: 'sentence number 12', duration_s: 6 },
    ],
  };

  it('passes good assets', () => {
    expect(checkPublishingAssets(assets, { moment, maxPrompts: 3 }).verdict).toBe('PASS');
  });

  it('names anchors that are not spoken, repeated descriptions and too many prompts', () => {
    const bad: PublishingAssets = {
      ...assets,
      descriptions: ['Same.', 'same', 'Other.'],
      veo3_prompts: [
        ...assets.veo3_prompts,
        { variant: 'outro', prompt: 'x', narrative_anchor: 'words nobody said', duration_s: 8 },
      ],
    };
    const verdict = checkPublishingAssets(bad, { moment, maxPrompts: 2 });
    expect(verdict.verdict).toBe('REWORK');
    expect(verdict.feedback).toEqual([
      'the 3 descriptions must differ from each other',
      'narrative anchors not spoken in the moment: "words nobody said"; copy each anchor word for word from one transcript line',
      '3 B-roll prompts; at most 2 are wanted',
    ]);
  });

  it('rejects odd clip durations through the schema', () => {
    const odd = { ...assets, veo3_prompts: [{ ...assets.veo3_prompts[0]!, duration_s: 5 }] };
    expect(checkPublishingAssets(odd, { moment, maxPrompts: 3 }).feedback[0]).toContain('must be 4, 6 or 8');
  });
});

describe('RESEARCH and ROUTER gates', () => {
  it('fails an empty transcript, reworks one that runs past the source', () => {
    expect(checkTranscript({ cues: [] }, { sourceDurationS: 100 }).verdict).toBe('FAIL');
    const late = checkTranscript({ cues: transcript }, { sourceDurationS: 100 });
    expect(late.verdict).toBe('REWORK');
    expect(late.feedback[0]).toContain('the source is 100.0 s long');
    expect(checkTranscript({ cues: transcript }, { sourceDurationS: 150 }).verdict).toBe('PASS');
    // A subtitle file cannot change on a rework: its problems become warnings.
    expect(checkTranscript({ cues: transcript }, { sourceDurationS: 100, reworkable: false })).toMatchObject({
      verdict: 'PASS',
      feedback: [],
      warnings: [expect.stringContaining('the source is 100.0 s long')],
    });
  });

  it('passes directives with unparsed clauses as warnings', () => {
    const verdict = checkDirectives({ generator: 'x', overlays: [], cutaways: [], unparsed: ['add sparkle'] });
    expect(verdict).toMatchObject({ verdict: 'PASS', warnings: ['instructions not understood: add sparkle'] });
    expect(checkDirectives({ generator: 'x', overlays: [{ path: 'a.png' }], cutaways: [], unparsed: [] }).verdict).toBe(
      'REWORK',
    );
  });
});

describe('attempt files', () => {
  it('numbers later attempts and maps them back', () => {
    expect(artifactName('moment.json', 1)).toBe('moment.json');
    expect(artifactName('moment.json', 3)).toBe('moment.attempt-3.json');
    expect(canonicalArtifact('/w/publishing-assets.attempt-2.json')).toBe('/w/publishing-assets.json');
    expect(canonicalArtifact('/w/moment.json')).toBe('/w/moment.json');
  });
});
