/** Episodes' pure parts: distinct moments, scores, hooks, reasons, the QA rules and the ranked table. */
import { describe, expect, it } from 'vitest';
import type { EpisodeClip } from '../../src/domain/episode';
import { EpisodeRequestSchema, formatEpisodeIndex, withDeliveries } from '../../src/domain/episode';
import {
  episodeMoments,
  HOOK_MAX_CHARS,
  hookFrom,
  opensThought,
  reasonFor,
  scorePercent,
  strongestLine,
} from '../../src/domain/moment';
import { checkEpisodeMoments } from '../../src/domain/qaRules';
import type { Cue } from '../../src/domain/reel';
import { PODCAST_LINES } from '../../src/dev/podcastScript';

function cues(count: number, lengthS: number, text: (i: number) => string): Cue[] {
  return Array.from({ length: count }, (_, i) => ({
    startS: i * lengthS,
    endS: (i + 1) * lengthS - 0.2,
    text: text(i),
  }));
}

/** A 6-minute transcript: short sentences, a few questions and numbers scattered in. */
const SIX_MINUTES = cues(72, 5, (i) =>
  i % 7 === 3
    ? `Why does step ${i} matter so much?`
    : i % 5 === 0
      ? `We measured ${i} things.`
      : `Line ${i} says a lot.`,
);

function artifactOf(transcript: Cue[], count: number, topic?: string) {
  const chosen = episodeMoments({ cues: transcript, topic }, count);
  return {
    moments: chosen.map((moment, i) => {
      const line = strongestLine(moment.cues, topic);
      return {
        ...moment,
        rank: i + 1,
        percent: scorePercent(moment.score),
        hook: hookFrom(line),
        reason: reasonFor(moment, line, topic),
      };
    }),
  };
}

describe('episode moments', () => {
  it('proposes N moments of which no two share a second, best first', () => {
    const moments = episodeMoments({ cues: SIX_MINUTES }, 3);
    expect(moments).toHaveLength(3);
    for (const [i, a] of moments.entries()) {
      expect(a.endS - a.startS).toBeGreaterThanOrEqual(60);
      for (const b of moments.slice(i + 1)) expect(a.endS <= b.startS || b.endS <= a.startS).toBe(true);
    }
    expect(moments.map((m) => m.score)).toEqual([...moments.map((m) => m.score)].sort((a, b) => b - a));
  });

  it('finds as many clips as fit, even when the best window sits in the middle', () => {
    // 200 s of 5 s lines: three 65 s windows fit only if the topic's window leaves room on both sides.
    const transcript = cues(40, 5, (i) => (i === 20 ? 'Latency is what users feel.' : `Line ${i} is short.`));
    const moments = episodeMoments({ cues: transcript, topic: 'latency' }, 3);
    expect(moments).toHaveLength(3);
    expect(moments[0]!.breakdown.topic).toBe(10);
    const sorted = [...moments].sort((a, b) => a.startS - b.startS);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startS).toBeGreaterThanOrEqual(sorted[i - 1]!.endS);
  });

  it('gives fewer when the source holds fewer distinct windows', () => {
    expect(episodeMoments({ cues: cues(30, 5, (i) => `Line ${i}.`) }, 5)).toHaveLength(2);
  });

  it('lets a topic decide the best clip', () => {
    const transcript = SIX_MINUTES.map((cue, i) => (i === 60 ? { ...cue, text: 'Latency is what users feel.' } : cue));
    const [best] = episodeMoments({ cues: transcript, topic: 'latency' }, 3);
    expect(best!.startS).toBeLessThanOrEqual(300);
    expect(best!.endS).toBeGreaterThanOrEqual(304.8);
  });

  it('maps scores onto 0–100 without changing their order', () => {
    expect(scorePercent(0)).toBe(0);
    expect(scorePercent(10)).toBe(50);
    expect(scorePercent(5)).toBeLessThan(scorePercent(6));
    expect(scorePercent(1000)).toBeLessThanOrEqual(100);
  });

  it('builds a hook from the strongest line, at most 60 characters, cut at a word', () => {
    expect(
      strongestLine([
        { startS: 0, endS: 1, text: 'We went on.' },
        { startS: 1, endS: 2, text: 'Why now?' },
      ]),
    ).toBe('Why now?');
    const lines = [
      { startS: 0, endS: 1, text: 'Why now?' },
      { startS: 1, endS: 2, text: 'Rate limits are the provider asking you to wait.' },
    ];
    expect(strongestLine(lines, 'rate limits')).toBe('Rate limits are the provider asking you to wait.');
    const long = 'What happens when the memory of a whole data centre dies in the middle of the night?';
    const hook = hookFrom(long);
    expect(hook.length).toBeLessThanOrEqual(HOOK_MAX_CHARS);
    expect(hook.endsWith('…')).toBe(true);
    expect(long.startsWith(hook.slice(0, -1))).toBe(true);
  });
});

describe('openings and hook titles (what a viewer sees first)', () => {
  /** The demo's dialogue, timed as espeak-ng speaks it (about 0.33 s a word, 0.45 s between lines). */
  const demoCues: Cue[] = [];
  for (let t = 0.5, i = 0; i < PODCAST_LINES.length; i++) {
    const text = PODCAST_LINES[i]!.text;
    const length = text.split(' ').length * 0.33;
    demoCues.push({ startS: Math.round(t * 100) / 100, endS: Math.round((t + length) * 100) / 100, text });
    t += length + 0.45;
  }

  it('titles a line without the word tying it to the line before, without a closing full stop', () => {
    expect(hookFrom('And if a stage fails for good?')).toBe('If a stage fails for good?');
    expect(hookFrom('So the fix is to write everything to disk?')).toBe('The fix is to write everything to disk?');
    expect(hookFrom('Exactly. So their results are in the history.')).toBe('Their results are in the history');
    expect(hookFrom('Let us talk about rate limits.')).toBe('Let us talk about rate limits');
    // Words that only look like replies stay.
    expect(hookFrom('No starting over.')).toBe('No starting over');
    expect(hookFrom('Right now we ship...')).toBe('Right now we ship...');
    expect(opensThought('Andrew was right.')).toBe(true);
    expect(opensThought('Exactly. It is.')).toBe(false);
  });

  it('takes the strongest sentence, not a caption of two, and an early one over a later one of its kind', () => {
    const lines: Cue[] = [
      { startS: 0, endS: 4, text: 'Let us talk about rate limits. Those drive people crazy.' },
      { startS: 4, endS: 8, text: 'They do.' },
    ];
    expect(strongestLine(lines, 'rate limits')).toBe('Let us talk about rate limits.');
    const questions: Cue[] = [
      { startS: 0, endS: 4, text: 'How much money are we talking about?' },
      { startS: 4, endS: 20, text: 'A lot.' },
      { startS: 20, endS: 22, text: 'What instead?' },
    ];
    expect(strongestLine(questions)).toBe('How much money are we talking about?');
    const exclaimed: Cue[] = [
      { startS: 0, endS: 3, text: 'Boats leave the harbour at dawn, every single morning.' },
      { startS: 3, endS: 6, text: 'Nobody told us how cold the water would be!' },
    ];
    expect(hookFrom(strongestLine(exclaimed))).toBe('Nobody told us how cold the water would be!');
  });

  it('never starts a moment inside a sentence that a caption split in two', () => {
    // Every sentence is spread over two captions: "Line i starts" / "and line i ends here."
    const split = cues(60, 3, (i) => (i % 2 === 0 ? `Line ${i} starts` : `and line ${i - 1} ends here.`));
    const moments = episodeMoments({ cues: split }, 3);
    expect(moments.length).toBeGreaterThan(0);
    for (const moment of moments) expect(moment.cues[0]!.text).toMatch(/^Line \d+ starts$/);
  });

  it("opens the demo episode's clips on lines of their own, the topic's clip on the topic, with titles that read as hooks", () => {
    const topic = 'rate limits';
    const moments = episodeMoments({ cues: demoCues, topic, durationS: 40 }, 3);
    expect(moments).toHaveLength(3);
    expect(moments[0]!.cues[0]!.text).toMatch(/^Let us talk about rate limits/);
    for (const moment of moments) {
      expect(opensThought(moment.cues[0]!.text)).toBe(true);
      const hook = hookFrom(strongestLine(moment.cues, topic));
      expect(hook.length).toBeLessThanOrEqual(HOOK_MAX_CHARS);
      expect(hook).toMatch(/^[A-Z]/);
      expect(opensThought(hook)).toBe(true);
      expect(hook).not.toMatch(/\.$/);
      // The title is one sentence, said in the clip.
      expect(hook).not.toMatch(/[.!?] /);
      expect(
        moment.cues
          .map((c) => c.text)
          .join(' ')
          .toLowerCase(),
      ).toContain(hook.toLowerCase().replace(/\?$/, ''));
    }
  });
});

describe('checkEpisodeMoments (QA gate)', () => {
  it('passes what the heuristic proposes', () => {
    const verdict = checkEpisodeMoments(artifactOf(SIX_MINUTES, 3), { transcript: SIX_MINUTES });
    expect(verdict).toMatchObject({ verdict: 'PASS', feedback: [] });
  });

  it('asks for rework on overlaps, long hooks, unquoted reasons and scores out of order', () => {
    const artifact = artifactOf(SIX_MINUTES, 3);
    const [a, b, c] = artifact.moments;
    const bad = {
      moments: [
        { ...a!, hook: 'x'.repeat(61) },
        { ...b!, reason: 'because it is good', percent: a!.percent + 1 },
        { ...c!, startS: a!.startS, endS: a!.endS, cues: a!.cues },
      ],
    };
    const verdict = checkEpisodeMoments(bad, { transcript: SIX_MINUTES });
    expect(verdict.verdict).toBe('REWORK');
    const text = verdict.feedback.join('\n');
    expect(text).toContain('clip 1: the hook is 61 characters');
    expect(text).toContain("clip 2: the reason must quote the moment's own words");
    expect(text).toContain('scores must order the clips');
    expect(text).toContain('clip 3 overlaps clip 1');
  });
});

describe('the episode request and index', () => {
  it('defaults to 3 clips and names a bad count', () => {
    expect(EpisodeRequestSchema.parse({ source: 'a.mp4' }).count).toBe(3);
    const parsed = EpisodeRequestSchema.safeParse({ source: 'a.mp4', count: 0 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['count']);
  });

  it('writes the ranked table with the resume command of a waiting clip', () => {
    const clip = (rank: number, status: EpisodeClip['status']): EpisodeClip => ({
      rank,
      score: 90 - rank,
      hook: `Hook | ${rank}`,
      reason: `reason "${rank}"`,
      startS: 60 * rank,
      endS: 60 * rank + 75,
      workflowId: `ep-clip${rank}`,
      status,
      ...(status === 'delivered' ? { reelPath: `output/ep-clip${rank}/reel.mp4`, durationS: 75, costUsd: 0 } : {}),
      ...(status === 'waiting' ? { stage: 'ASSEMBLY' } : {}),
    });
    const md = formatEpisodeIndex({
      workflowId: 'ep',
      source: 'a.mp4',
      clips: [clip(1, 'delivered'), clip(2, 'waiting')],
    });
    expect(md).toContain('| rank | score | hook | reason | time | duration | path | cost | status |');
    expect(md).toContain(
      '| 1 | 89 | Hook \\| 1 | reason "1" | 1:00.0–2:15.0 | 75.0 s | output/ep-clip1/reel.mp4 | $0.00 | delivered |',
    );
    expect(md).toContain('waiting for resume at ASSEMBLY: `reelflow resume ep-clip2`');
    expect(md).toContain('1 delivered, 1 waiting for resume');
  });

  it('lays a late delivery over the table: that row delivered, the others as the episode left them', () => {
    const waiting: EpisodeClip = {
      rank: 2,
      score: 70,
      hook: 'h',
      reason: 'r',
      startS: 100,
      endS: 175,
      workflowId: 'ep-clip2',
      status: 'waiting',
      stage: 'DELIVERY',
      error: 'EEXIST',
    };
    const failed: EpisodeClip = { ...waiting, rank: 3, workflowId: 'ep-clip3', status: 'failed' };
    const delivery = { rank: 2, workflowId: 'ep-clip2', reelPath: 'output/ep/clip-2/reel.mp4', durationS: 74.9 };
    const [row, other] = withDeliveries([waiting, failed], [delivery]);
    expect(row).toEqual({
      ...delivery,
      score: 70,
      hook: 'h',
      reason: 'r',
      startS: 100,
      endS: 175,
      status: 'delivered',
      stage: 'COMPLETED',
    });
    expect(other).toBe(failed);
    // A delivery of another run with the same rank (an older episode's folder) changes nothing.
    expect(withDeliveries([waiting], [{ ...delivery, workflowId: 'other-clip2' }])[0]).toBe(waiting);
  });
});
