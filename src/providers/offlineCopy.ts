/**
 * The offline text provider for publishing copy: deterministic templates over the moment's
 * transcript. It needs no key and no network, and says so in the `generator` field.
 */
import type { Moment, PublishingAssets, Veo3Prompt } from '../domain/reel';

export const OFFLINE_TEXT_GENERATOR = 'reelflow-offline-templates';

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have i if in into is it its of on or our so that the their them then there ' +
    'these they this to was we were what when where which who why will with you your just not do does did can about ' +
    'more most than too very really because how all any some out up one get got like know think yeah well also'
  ).split(' '),
);

/** Folds simple plurals together ("clips" counts as "clip"), so a keyword is not listed twice. */
const stem = (word: string) =>
  word.length > 4 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;

/** The moment's most frequent content words, most frequent first (ties by first appearance). */
export function keywords(text: string, count: number): string[] {
  const seen = new Map<string, { n: number; first: number; word: string }>();
  (text.toLowerCase().match(/[a-z][a-z']+/g) ?? []).forEach((word, index) => {
    if (word.length < 4 || STOP_WORDS.has(word)) return;
    const key = stem(word);
    const entry = seen.get(key) ?? { n: 0, first: index, word };
    entry.n += 1;
    seen.set(key, entry);
  });
  return [...seen.values()]
    .sort((a, b) => b.n - a.n || a.first - b.first)
    .slice(0, count)
    .map((entry) => entry.word);
}

/** The first `n` words of a line, as an anchor phrase quoted from it. */
function anchorPhrase(text: string, n = 6): string {
  return text
    .trim()
    .split(/\s+/)
    .slice(0, n)
    .join(' ')
    .replace(/[,;:.!?]+$/, '');
}

export function offlinePublishingAssets(
  moment: Moment,
  options: { topic?: string; maxPrompts: number },
): PublishingAssets {
  const text = moment.cues.map((cue) => cue.text).join(' ');
  const top = keywords(text, 6);
  const subject = options.topic ?? top.slice(0, 2).join(' and ') ?? 'this conversation';
  const hook = moment.cues.find((cue) => cue.text.trim().endsWith('?'))?.text ?? moment.cues[0]?.text ?? '';
  const quote =
    [...moment.cues].sort((a, b) => a.text.length - b.text.length).find((cue) => cue.text.split(' ').length >= 5)
      ?.text ?? hook;
  const questions = moment.cues.filter((cue) => cue.text.includes('?')).length;
  const exclamations = moment.cues.filter((cue) => cue.text.includes('!')).length;

  // Anchors spread evenly over the moment (intro first, outro last), so cutaways cover the reel.
  const count = Math.max(0, Math.min(options.maxPrompts, moment.cues.length));
  const prompts: Veo3Prompt[] = Array.from({ length: count }, (_, i) => {
    const position = (i + 0.5) / count;
    const cue =
      moment.cues[Math.min(moment.cues.length - 1, Math.floor(position * moment.cues.length))] ?? moment.cues[0];
    const scene = keywords(cue?.text ?? text, 3).join(', ') || subject;
    const variant: Veo3Prompt['variant'] =
      count > 1 && i === 0 ? 'intro' : count > 2 && i === count - 1 ? 'outro' : 'broll';
    return {
      variant,
      prompt: `Documentary B-roll, cinematic and natural light, no text on screen: ${scene}`,
      narrative_anchor: anchorPhrase(cue?.text ?? hook),
      duration_s: i % 2 === 1 ? 6 : 4,
    };
  });

  return {
    generator: OFFLINE_TEXT_GENERATOR,
    descriptions: [
      `${hook} A short clip about ${subject}.`,
      `"${quote}" — the moment from this episode on ${subject}.`,
      `${Math.round(moment.endS - moment.startS)} seconds on ${subject}: ${top.slice(0, 3).join(', ')}.`,
    ],
    hashtags: [...new Set(['podcast', ...top.slice(0, 4)])].map((word) => `#${word.replace(/'/g, '')}`),
    music_mood:
      questions > exclamations ? 'curious, light ambient' : exclamations > 0 ? 'upbeat, energetic' : 'calm, reflective',
    veo3_prompts: prompts,
  };
}
