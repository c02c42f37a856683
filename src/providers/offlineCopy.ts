/**
 * The offline text provider for publishing copy: deterministic templates over the moment's
 * transcript. It needs no key and no network, and says so in the `generator` field.
 *
 * The run's narrative override shapes the copy:
 * - tone: a known tone (see TONE_STYLES) picks the description templates, the music mood and the
 *   look of the B-roll prompts; any other word is used verbatim ("<tone>, <mood from the moment>").
 *   No tone: the mood follows the moment (more questions → curious, exclamations → upbeat, else calm).
 * - pacing: B-roll clip length (fast → 4 s each, slow → 8 s each, medium or none → 4 s and 6 s
 *   alternating) and how many words of copy (fast clips quoted lines short and lists fewer
 *   keywords; slow lists more and adds a closing line).
 *
 * The QA gate's feedback is ignored here: the templates already meet the gate's rules (three
 * distinct descriptions, #word hashtags, anchors quoted verbatim, 4/6/8 s clips), so asking them
 * again gives the same answer. Feedback is for the model-backed provider.
 */
import { brollClipSeconds } from '../domain/cost';
import type { Moment, PublishingAssets, Veo3Prompt } from '../domain/reel';
import type { CopyRequest } from './text/types';

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

/** A content word: long enough to say something and not a stop word. */
const isContent = (word: string) => word.length >= 4 && !STOP_WORDS.has(word);

/** The moment's most frequent content words, most frequent first (ties by first appearance). */
export function keywords(text: string, count: number): string[] {
  const seen = new Map<string, { n: number; first: number; word: string }>();
  (text.toLowerCase().match(/[a-z][a-z']+/g) ?? []).forEach((word, index) => {
    if (!isContent(word)) return;
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

/**
 * Two content words that follow each other inside one sentence at least twice ("rate limits"),
 * most frequent first: a hashtag of either word alone would be half a term.
 */
export function keyPhrases(text: string, count: number): string[] {
  const seen = new Map<string, { n: number; first: number; phrase: string }>();
  let index = 0;
  for (const sentence of text.toLowerCase().split(/[.?!,;:()\u2014]+/)) {
    const words = sentence.match(/[a-z][a-z']+/g) ?? [];
    for (let i = 0; i + 1 < words.length; i++, index++) {
      const [a, b] = [words[i]!, words[i + 1]!];
      if (!isContent(a) || !isContent(b)) continue;
      const key = `${stem(a)} ${stem(b)}`;
      const entry = seen.get(key) ?? { n: 0, first: index, phrase: `${a} ${b}` };
      entry.n += 1;
      seen.set(key, entry);
    }
  }
  return [...seen.values()]
    .filter((entry) => entry.n >= 2)
    .sort((a, b) => b.n - a.n || a.first - b.first)
    .slice(0, count)
    .map((entry) => entry.phrase);
}

/**
 * Up to `count` whole-term hashtags: #podcast, the topic, the moment's repeated phrases, then its
 * frequent words that are not part of a phrase already tagged (no "#rate" beside "#ratelimits").
 */
export function hashtags(text: string, topic: string | undefined, count: number): string[] {
  const terms = [topic ?? '', ...keyPhrases(text, 2)].filter((term) => term.trim());
  const inTerms = new Set(terms.flatMap((term) => (term.toLowerCase().match(/[a-z][a-z']+/g) ?? []).map(stem)));
  const words = keywords(text, count + inTerms.size).filter((word) => !inTerms.has(stem(word)));
  const tags = ['podcast', ...terms, ...words].map((term) => `#${term.toLowerCase().replace(/[^a-z0-9]/g, '')}`);
  return [...new Set(tags.filter((tag) => tag.length > 1))].slice(0, count);
}

/**
 * The first `n` words of a line, cut from the line itself (not re-joined), so the anchor is a
 * verbatim quote even when the cue holds a line break or double spaces.
 */
function anchorPhrase(text: string, n = 6): string {
  const words = text.trim().match(new RegExp(`^\\S+(?:\\s+\\S+){0,${n - 1}}`))?.[0] ?? '';
  return words.replace(/[,;:.!?]+$/, '');
}

/** A quoted line cut to `n` words (with an ellipsis), so one long cue cannot swamp the copy. */
function clipWords(text: string, n: number): string {
  const words = text.trim().split(/\s+/);
  return words.length <= n ? text.trim() : `${words.slice(0, n).join(' ')}…`;
}

/** How the copy reads for one tone. */
interface ToneStyle {
  mood: string;
  /** Visual words for the B-roll prompts. */
  look: string;
  /** Follows the hook line in the first description. */
  teaser: (subject: string) => string;
  /** Follows the quote in the second description. */
  quoteTag: (subject: string) => string;
  /** Opens the third description, before the keywords. */
  summary: (seconds: number, subject: string) => string;
  /** Closes the third description when the pacing is slow. */
  closer: string;
}

const DEFAULT_STYLE: Omit<ToneStyle, 'mood'> = {
  look: 'cinematic and natural light',
  teaser: (subject) => `A short clip about ${subject}.`,
  quoteTag: (subject) => `the moment from this episode on ${subject}.`,
  summary: (seconds, subject) => `${seconds} seconds on ${subject}`,
  closer: 'Listen to the whole thought.',
};

/** The documented tone → copy mapping (the tones ROUTER's parser knows, in src/domain/directives.ts). */
export const TONE_STYLES: Record<string, ToneStyle> = {
  playful: {
    mood: 'playful, bouncy ukulele and light percussion',
    look: 'bright colours, light-hearted, natural light',
    teaser: (subject) => `A fun little detour into ${subject}.`,
    quoteTag: (subject) => `our favourite bit on ${subject}.`,
    summary: (seconds, subject) => `${seconds} seconds of ${subject}, the fun way`,
    closer: 'Stay for the good part.',
  },
  funny: {
    mood: 'funny, quirky pizzicato and comic timing',
    look: 'bright and colourful, comic framing, natural light',
    teaser: (subject) => `We did not expect ${subject} to be this funny.`,
    quoteTag: (subject) => `the line that cracked us up on ${subject}.`,
    summary: (seconds, subject) => `${seconds} seconds of laughs about ${subject}`,
    closer: 'Send it to someone who needs a laugh.',
  },
  serious: {
    mood: 'serious, low sustained strings',
    look: 'muted colours, steady framing, soft natural light',
    teaser: (subject) => `A close look at ${subject}.`,
    quoteTag: (subject) => `a point worth weighing on ${subject}.`,
    summary: (seconds, subject) => `${seconds} seconds that take ${subject} seriously`,
    closer: 'Worth thinking through.',
  },
  inspiring: {
    mood: 'inspiring, rising piano and strings',
    look: 'golden hour light, wide open spaces, hopeful',
    teaser: (subject) => `What ${subject} can teach all of us.`,
    quoteTag: (subject) => `a reminder of why ${subject} matters.`,
    summary: (seconds, subject) => `${seconds} seconds that change how you see ${subject}`,
    closer: 'Take it with you.',
  },
  dramatic: {
    mood: 'dramatic, deep percussion and tension',
    look: 'high contrast, moody shadows, cinematic',
    teaser: (subject) => `Everything turns on ${subject}.`,
    quoteTag: (subject) => `the turning point on ${subject}.`,
    summary: (seconds, subject) => `${seconds} seconds where ${subject} is on the line`,
    closer: 'Watch it to the end.',
  },
  calm: {
    mood: 'calm, soft ambient pads',
    look: 'soft light, gentle colours, still and quiet',
    teaser: (subject) => `A quiet moment on ${subject}.`,
    quoteTag: (subject) => `a calm thought on ${subject}.`,
    summary: (seconds, subject) => `${seconds} unhurried seconds on ${subject}`,
    closer: 'Breathe, and listen.',
  },
  energetic: {
    mood: 'energetic, driving electronic beat',
    look: 'vivid colours, dynamic motion, bright light',
    teaser: (subject) => `Fast, sharp and all about ${subject}.`,
    quoteTag: (subject) => `the line that gets you going on ${subject}.`,
    summary: (seconds, subject) => `${seconds} high-energy seconds on ${subject}`,
    closer: 'Turn it up.',
  },
  professional: {
    mood: 'professional, clean corporate underscore',
    look: 'clean modern spaces, neutral colours, even light',
    teaser: (subject) => `Key takeaways on ${subject}.`,
    quoteTag: (subject) => `an expert view on ${subject}.`,
    summary: (seconds, subject) => `${seconds} seconds of practical insight on ${subject}`,
    closer: 'Share it with your team.',
  },
};

/** The style for a tone: a known one, the default with the word worked in, or the default. */
function toneStyle(tone: string | undefined, momentMood: string): ToneStyle {
  const word = tone?.trim().toLowerCase();
  if (!word) return { ...DEFAULT_STYLE, mood: momentMood };
  const known = TONE_STYLES[word];
  if (known) return known;
  return {
    ...DEFAULT_STYLE,
    mood: `${word}, ${momentMood}`,
    look: `${word} mood, ${DEFAULT_STYLE.look}`,
    teaser: (subject) => `A ${word} clip about ${subject}.`,
  };
}

/** Copy length and clip length per pacing. */
const PACING: Record<'slow' | 'medium' | 'fast', { quoteWords: number; keywords: number; camera: string }> = {
  fast: { quoteWords: 8, keywords: 2, camera: ', brisk handheld camera' },
  medium: { quoteWords: 30, keywords: 3, camera: '' },
  slow: { quoteWords: 40, keywords: 5, camera: ', slow steady camera moves' },
};

export function offlinePublishingAssets(
  moment: Moment,
  options: Pick<CopyRequest, 'maxPrompts' | 'topic' | 'narrative'>,
): PublishingAssets {
  const pacing = options.narrative?.pacing;
  const pace = PACING[pacing ?? 'medium'];
  const text = moment.cues.map((cue) => cue.text).join(' ');
  const top = keywords(text, 6);
  const subject = options.topic ?? (top.slice(0, 2).join(' and ') || 'this conversation');
  const hook = moment.cues.find((cue) => cue.text.trim().endsWith('?'))?.text ?? moment.cues[0]?.text ?? '';
  const quote =
    [...moment.cues].sort((a, b) => a.text.length - b.text.length).find((cue) => cue.text.split(' ').length >= 5)
      ?.text ?? hook;
  const questions = moment.cues.filter((cue) => cue.text.includes('?')).length;
  const exclamations = moment.cues.filter((cue) => cue.text.includes('!')).length;
  const momentMood =
    questions > exclamations ? 'curious, light ambient' : exclamations > 0 ? 'upbeat, energetic' : 'calm, reflective';
  const style = toneStyle(options.narrative?.tone, momentMood);

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
      prompt: `Documentary B-roll, ${style.look}${pace.camera}, no text on screen: ${scene}`,
      narrative_anchor: anchorPhrase(cue?.text ?? hook),
      duration_s: brollClipSeconds(pacing, i),
    };
  });

  const seconds = Math.round(moment.endS - moment.startS);
  const summary = `${style.summary(seconds, subject)}: ${top.slice(0, pace.keywords).join(', ')}.`;
  return {
    generator: OFFLINE_TEXT_GENERATOR,
    descriptions: [
      `${clipWords(hook, pace.quoteWords)} ${style.teaser(subject)}`,
      `"${clipWords(quote, pace.quoteWords)}" — ${style.quoteTag(subject)}`,
      pacing === 'slow' ? `${summary} ${style.closer}` : summary,
    ],
    hashtags: hashtags(text, options.topic, 5),
    music_mood: style.mood,
    veo3_prompts: prompts,
  };
}
