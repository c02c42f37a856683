/** A moment cut from the sample podcast's script, for tests of the CONTENT stage. */
import { PODCAST_LINES } from '../../src/dev/podcastScript';
import type { Moment } from '../../src/domain/reel';

export function sampleMoment(from = 8, to = 24): Moment {
  const cues = PODCAST_LINES.slice(from, to).map((line, i) => ({
    startS: 10 + i * 4.5,
    endS: 14 + i * 4.5,
    text: line.text,
  }));
  return { startS: 10, endS: 14 + (cues.length - 1) * 4.5, score: 5, breakdown: {}, cues };
}
