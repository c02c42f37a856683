import { describe, expect, it } from 'vitest';
import type { TimedWord } from '../../src/domain/captions';
import {
  estimateWords,
  hookTitle,
  LINE_CHARS,
  pageLines,
  pagesToSrt,
  pagesToVtt,
  paginate,
  reelWords,
} from '../../src/domain/captions';
import { captionPlacement, dominantStrategy, formatAss } from '../../src/domain/captionsAss';
import { parseSubtitles } from '../../src/domain/subtitles';

const cue = (startS: number, endS: number, text: string) => ({ startS, endS, text });

describe('word timings', () => {
  it('estimates words inside their cue, longer words longer, never crossing the cue', () => {
    const words = estimateWords(cue(10, 12, 'a extraordinary b'));
    expect(words.map((w) => w.text)).toEqual(['a', 'extraordinary', 'b']);
    expect(words[0]!.startS).toBe(10);
    expect(words.at(-1)!.endS).toBe(12);
    const length = (w: TimedWord) => w.endS - w.startS;
    expect(length(words[1]!)).toBeGreaterThan(4 * length(words[0]!));
    for (let i = 1; i < words.length; i++) expect(words[i]!.startS).toBeCloseTo(words[i - 1]!.endS, 9);
  });

  it('uses the transcript’s word times when a cue has them, reel-relative, and says which were estimated', () => {
    const cues = [
      {
        ...cue(100, 102, 'hello there'),
        words: [
          { w: 'hello', startS: 100.1, endS: 100.5 },
          { w: 'there', startS: 100.7, endS: 101.2 },
        ],
      },
      cue(102, 104, 'no timings here'),
    ];
    const result = reelWords(cues, 100, 3.5);
    expect(result.timing).toBe('mixed');
    expect(result.estimatedCues).toBe(1);
    expect(result.words[0]).toEqual({ text: 'hello', startS: 0.1, endS: 0.5 });
    // Clipped to the reel: nothing outlives it.
    expect(Math.max(...result.words.map((w) => w.endS))).toBeLessThanOrEqual(3.5);
    expect(reelWords([cues[0]!], 100, 60).timing).toBe('transcript');
    expect(reelWords([cues[1]!], 100, 60).timing).toBe('estimated');
  });
});

describe('pages', () => {
  const words = reelWords(
    [
      cue(0, 4, 'When we started the company, nobody believed the market existed at all.'),
      cue(4.1, 6, 'Then it doubled.'),
      cue(9, 11, 'After a long pause, this.'),
    ],
    0,
    12,
  ).words;

  it('bold: at most two lines of about 32 characters, broken after a phrase, a new page per sentence and pause', () => {
    const pages = paginate(words, 'bold', 12);
    for (const page of pages) {
      expect(page.lineBreaks.length).toBeLessThanOrEqual(1);
      for (const line of pageLines(page)) expect(line.length).toBeLessThanOrEqual(LINE_CHARS);
    }
    expect(pageLines(pages[0]!)[0]).toBe('When we started the company,');
    // Sentences end pages; the pause before "After" starts one.
    expect(pages.map((p) => pageLines(p).join(' '))).toContain('Then it doubled.');
    expect(pages.find((p) => pageLines(p)[0]!.startsWith('After'))).toBeDefined();
    // In order, never overlapping, never past the reel.
    for (let i = 1; i < pages.length; i++) expect(pages[i]!.startS).toBeGreaterThanOrEqual(pages[i - 1]!.endS);
    expect(pages.at(-1)!.endS).toBeLessThanOrEqual(12);
  });

  it('minimal has one line per page; none has no pages', () => {
    expect(paginate(words, 'minimal', 12).every((p) => p.lineBreaks.length === 0)).toBe(true);
    expect(paginate(words, 'none', 12)).toEqual([]);
  });

  it('SRT and WebVTT carry the pages at their times', () => {
    const pages = paginate(words, 'bold', 12);
    const fromSrt = parseSubtitles(pagesToSrt(pages));
    const fromVtt = parseSubtitles(pagesToVtt(pages));
    expect(pagesToVtt(pages).startsWith('WEBVTT')).toBe(true);
    for (const parsed of [fromSrt, fromVtt]) {
      expect(parsed).toHaveLength(pages.length);
      parsed.forEach((c, i) => {
        expect(c.startS).toBeCloseTo(pages[i]!.startS, 3);
        expect(c.endS).toBeCloseTo(pages[i]!.endS, 3);
        expect(c.text).toBe(pageLines(pages[i]!).join(' '));
      });
    }
  });
});

describe('the .ass file', () => {
  const pages = paginate(reelWords([cue(0, 2, 'Captions {are} here')], 0, 5).words, 'bold', 5);
  const base = { frame: { width: 1080, height: 1920 }, pages, font: 'DejaVu Sans', reelDurationS: 5 } as const;

  it('bold: one event per word with the spoken word highlighted; braces cannot become tags', () => {
    const ass = formatAss({ ...base, style: 'bold', strategy: 'follow_crop' });
    const events = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
    expect(events).toHaveLength(3);
    expect(events[1]).toContain('{\\c&H0000E5FF&}are{\\r}');
    expect(ass).toContain('PlayResX: 1080');
    expect(ass).toContain('PlayResY: 1920');
    expect(ass).not.toContain('{are}');
  });

  it('karaoke: one event per page with a timed fill per word', () => {
    const ass = formatAss({ ...base, style: 'karaoke', strategy: 'follow_crop' });
    const events = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
    expect(events).toHaveLength(1);
    expect(events[0]!.match(/\\kf\d+/g)).toHaveLength(3);
  });

  it('the hook title shows for the first 2.5 s above the captions, even with captions off', () => {
    const ass = formatAss({
      ...base,
      style: 'none',
      strategy: 'follow_crop',
      hook: 'Nobody told us how cold the water would be',
    });
    const events = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^Dialogue: 1,0:00:00\.00,0:00:02\.50,Hook,/);
    expect(events[0]).toContain('\\N');
  });

  it('places captions clear of faces: on the seam of stacked halves, low for a single crop', () => {
    expect(captionPlacement('stack_halves', { width: 1080, height: 1920 }).alignment).toBe(5);
    expect(captionPlacement('follow_crop', { width: 1080, height: 1920 })).toEqual({ alignment: 2, marginV: 0.14 });
    expect(captionPlacement('stack_halves', { width: 1920, height: 1080 }).alignment).toBe(2);
    expect(
      dominantStrategy([
        { strategy: 'stack_halves', startS: 0, endS: 10 },
        { strategy: 'follow_crop', startS: 10, endS: 40 },
      ]),
    ).toBe('follow_crop');
  });
});

describe('hook title', () => {
  it('uses the moment’s hook, else its strongest line (a question or exclamation), cut to 60 characters', () => {
    const cues = [cue(0, 2, 'We met in 2019. Why did nobody see it coming?'), cue(2, 4, 'Nobody knew.')];
    expect(hookTitle({ hook: 'The hook', cues, startS: 0, endS: 4 })).toEqual({ text: 'The hook', from: 'moment' });
    expect(hookTitle({ cues, startS: 0, endS: 4 })).toEqual({
      text: 'Why did nobody see it coming?',
      from: 'strongest line',
    });
    const long = hookTitle({ cues: [cue(0, 9, `${'word '.repeat(30)}end.`)], startS: 0, endS: 9 })!;
    expect(long.text.length).toBeLessThanOrEqual(60);
    expect(hookTitle({ cues: [], startS: 0, endS: 4 })).toBeNull();
  });
});
