import { describe, expect, it } from 'vitest';
import { formatSrt, parseSubtitles, parseTimestamp, SubtitleSyntaxError } from '../../src/domain/subtitles';

describe('subtitles', () => {
  it('parses SRT with multi-line cues and markup', () => {
    const srt =
      '1\r\n00:00:01,500 --> 00:00:04,000\r\n<i>Hello</i> there,\r\nfriend.\r\n\r\n2\r\n01:02:03,004 --> 01:02:05,000\r\n{\\an8}Second line.\r\n';
    expect(parseSubtitles(srt)).toEqual([
      { startS: 1.5, endS: 4, text: 'Hello there, friend.' },
      { startS: 3723.004, endS: 3725, text: 'Second line.' },
    ]);
  });

  it('parses WebVTT with cue ids, settings, voice tags and hour-less times', () => {
    const vtt =
      'WEBVTT\n\nNOTE a comment\n\nintro\n00:05.250 --> 00:07.000 align:start position:10%\n<v Ana>Why does it fail?</v>\n\n00:00:08.000 --> 00:00:09.500\nBecause.\n';
    expect(parseSubtitles(vtt)).toEqual([
      { startS: 5.25, endS: 7, text: 'Why does it fail?' },
      { startS: 8, endS: 9.5, text: 'Because.' },
    ]);
  });

  it('reads rolling auto-captions (YouTube VTT) with each word once', () => {
    const vtt = [
      'WEBVTT',
      'Kind: captions',
      'Language: en',
      '',
      '00:00:00.160 --> 00:00:02.270 align:start position:0%',
      ' ',
      'so<00:00:00.480><c> today</c><00:00:00.640><c> we</c><00:00:00.799><c> talk</c>',
      '',
      '00:00:02.270 --> 00:00:02.280 align:start position:0%',
      'so today we talk',
      ' ',
      '',
      '00:00:02.280 --> 00:00:04.870 align:start position:0%',
      'so today we talk',
      'about<00:00:02.600><c> video</c><00:00:02.960><c> pipelines</c>',
      '',
    ].join('\n');
    expect(parseSubtitles(vtt)).toEqual([
      { startS: 0.16, endS: 2.27, text: 'so today we talk' },
      { startS: 2.28, endS: 4.87, text: 'about video pipelines' },
    ]);
  });

  it('keeps SRT cues apart when the blank line between them holds spaces', () => {
    const srt = '1\n00:00:01,000 --> 00:00:02,000\nOne.\n  \n2\n00:00:03,000 --> 00:00:04,000\nTwo.\n';
    expect(parseSubtitles(srt)).toEqual([
      { startS: 1, endS: 2, text: 'One.' },
      { startS: 3, endS: 4, text: 'Two.' },
    ]);
  });

  it('drops empty cues and rejects malformed timestamps', () => {
    expect(parseSubtitles('1\n00:00:01,000 --> 00:00:02,000\n\n')).toEqual([]);
    expect(() => parseTimestamp('soon')).toThrow(/not a subtitle timestamp/);
  });

  it('writes SRT that parses back to the same cues', () => {
    const cues = [
      { startS: 0.5, endS: 2.25, text: 'One.' },
      { startS: 61.125, endS: 3600.5, text: 'Two?' },
    ];
    expect(parseSubtitles(formatSrt(cues))).toEqual(cues);
  });

  it('names the line of a timing it cannot read, and calls a file with no timing line what it is', () => {
    const garbage = '1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\nbanana --> 00:00:04,000\nworld\n';
    expect(() => parseSubtitles(garbage)).toThrow(SubtitleSyntaxError);
    expect(() => parseSubtitles(garbage)).toThrow(/^line 6: not a subtitle timestamp: "banana"/);
    expect(() => parseSubtitles('\n\nthis is just prose\nno cues here\n')).toThrow(
      /^line 3: no "start --> end" timing line/,
    );
    expect(() => parseSubtitles('')).toThrow(/the file is empty/);
  });
});
