import { describe, expect, it } from 'vitest';
import { formatSrt, parseSubtitles, parseTimestamp } from '../../src/domain/subtitles';

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
});
