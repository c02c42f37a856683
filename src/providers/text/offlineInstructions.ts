/**
 * The offline instructions parser: documented rules over clauses, no model. Instructions are split
 * into clauses (lines, `;`, sentence ends); each clause is matched against the rules below, and a
 * clause no rule understands is kept in `unparsed` so nothing is dropped silently.
 *
 * - Media: a file name with an image extension is an overlay, a video extension a cutaway.
 *   When: `at 0:12` / `at 12s` (seconds into the reel), `when they say "phrase"` / `at "phrase"`
 *   (where the phrase is spoken), `start with …` (at 0). How long: `for 4s`.
 * - Topic: `focus on …`, `topic: …`, `find the part about …`.
 * - Length: `keep it 45 seconds`, `a 90-second reel`, `one minute long`.
 * - Tone: a tone word (playful, serious, …, with common synonyms) or `tone: <word>`.
 * - Pacing: fast/quick/snappy/punchy, slow/relaxed, medium/moderate (with pace, paced or pacing).
 * - Transitions: hard cuts / no transitions → cut; crossfade / dissolve / fades → fade;
 *   dip or fade to black → dip_to_black.
 * - Hook title: `start/open/begin with a title` (or `hook`, `title card`) → hook; `no title` → no hook.
 */
import type { ParsedDirectives, Transition, UserMedia } from '../../domain/directives';
import { UserMediaSchema } from '../../domain/directives';
import { describeIssues } from '../../domain/validation';

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'bmp'];
const VIDEO_EXTENSIONS = ['mp4', 'mov', 'mkv', 'webm', 'm4v', 'avi'];
const EXTENSIONS = [...IMAGE_EXTENSIONS, ...VIDEO_EXTENSIONS].join('|');

/** A media file name: quoted (may contain spaces) or a bare token. */
const MEDIA = new RegExp(
  `"([^"]+\\.(?:${EXTENSIONS}))"|'([^']+\\.(?:${EXTENSIONS}))'|([^\\s"'“”]+\\.(?:${EXTENSIONS}))\\b`,
  'i',
);
/** A quoted phrase, with straight or curly quotes. */
const QUOTED = /["“]([^"”]+)["”]|'([^']{2,})'/;
const SECONDS = String.raw`(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b`;
const CLOCK = String.raw`(\d{1,2}):(\d{2}(?:\.\d+)?)`;
const MAX_REEL_S = 120;

const TONE_WORDS: Record<string, string> = {
  playful: 'playful',
  fun: 'playful',
  lighthearted: 'playful',
  'light-hearted': 'playful',
  funny: 'funny',
  humorous: 'funny',
  witty: 'funny',
  serious: 'serious',
  sober: 'serious',
  inspiring: 'inspiring',
  inspirational: 'inspiring',
  motivational: 'inspiring',
  uplifting: 'inspiring',
  dramatic: 'dramatic',
  emotional: 'dramatic',
  intense: 'dramatic',
  calm: 'calm',
  chill: 'calm',
  relaxed: 'calm',
  energetic: 'energetic',
  upbeat: 'energetic',
  hype: 'energetic',
  professional: 'professional',
  formal: 'professional',
  corporate: 'professional',
};

/** Splits on lines, semicolons and sentence ends (a dot in a file name is not a sentence end). */
export function clauses(instructions: string): string[] {
  return instructions
    .split(/\n|;|(?<=[.!?])\s+/)
    .map((clause) =>
      clause
        .trim()
        .replace(/[.!?,]+$/, '')
        .trim(),
    )
    .filter((clause) => clause.length > 0);
}

function parseSeconds(clause: string): number | undefined {
  const clock = new RegExp(String.raw`\bat\s+${CLOCK}`, 'i').exec(clause);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  const plain = new RegExp(String.raw`\bat\s+${SECONDS}`, 'i').exec(clause);
  return plain ? Number(plain[1]) : undefined;
}

function parseMedia(
  clause: string,
  match: RegExpExecArray,
): { kind: 'overlay' | 'cutaway'; media: UserMedia } | string {
  const file = (match[1] ?? match[2] ?? match[3] ?? '').trim();
  const extension = file.split('.').pop()?.toLowerCase() ?? '';
  const kind = IMAGE_EXTENSIONS.includes(extension) ? 'overlay' : 'cutaway';
  // Look for the phrase and times outside the file name, so "clip 2.mp4" is not read as a time.
  const rest = clause.replace(match[0], ' ');
  const duration = new RegExp(String.raw`\bfor\s+${SECONDS}`, 'i').exec(rest);
  const durationS = duration ? Number(duration[1]) : undefined;
  const quoted = QUOTED.exec(rest);
  const reelS = parseSeconds(rest);
  let at: UserMedia['at'] | undefined;
  if (quoted) at = { anchor: (quoted[1] ?? quoted[2] ?? '').trim() };
  else if (reelS !== undefined) at = { reelS };
  else if (/\b(?:start|open|begin)\s+(?:the\s+reel\s+)?with\b/i.test(rest)) at = { reelS: 0 };
  else {
    const mention = /\bwhen\s+(?:\w+\s+){0,3}?(?:says?|mentions?|talks?\s+about)\s+(.+?)(?:\s+for\s+\d.*)?$/i.exec(
      rest,
    );
    if (mention?.[1]) at = { anchor: mention[1].trim() };
  }
  if (!at) {
    return `${clause} (${kind} ${file} has no time or phrase: add "at 0:12" or 'when they say "…"')`;
  }
  if ('reelS' in at && at.reelS > MAX_REEL_S) return `${clause} (a reel is at most ${MAX_REEL_S} s long)`;
  const parsed = UserMediaSchema.safeParse({ path: file, at, ...(durationS !== undefined ? { durationS } : {}) });
  if (!parsed.success) return `${clause} (${describeIssues(parsed.error)})`;
  return { kind, media: parsed.data };
}

function parseLength(clause: string): number | undefined {
  if (/\b(?:one|1)\s+minute\b/i.test(clause)) return 60;
  const match = /\b(\d{2,3})\s*-?\s*(?:s|secs?|seconds?)\b/i.exec(clause);
  if (!match) return undefined;
  if (!/\b(?:long|reel|keep|make|length|under|around|about|max(?:imum)?|short|clip)\b/i.test(clause)) return undefined;
  return Number(match[1]);
}

function parseTransition(clause: string): Transition | undefined {
  if (/\b(?:dip|fade)s?\s+(?:to|through)\s+black\b/i.test(clause)) return 'dip_to_black';
  if (/\b(?:hard|jump)\s+cuts?\b|\bno\s+transitions?\b|\bjust\s+cut\b/i.test(clause)) return 'cut';
  if (/\bcross-?fades?\b|\bdissolves?\b|\bfade\s+transitions?\b|\btransitions?\b.*\bfades?\b/i.test(clause)) {
    return 'fade';
  }
  return undefined;
}

/** Whether the clause asks for the hook title at the start (true), refuses one (false), or neither. */
function parseHookTitle(clause: string): boolean | undefined {
  if (/\b(?:no|without(?:\s+a)?)\s+(?:hook\s+)?title\b/i.test(clause)) return false;
  const opens =
    /\b(?:start|open|begin)\w*\s+(?:it\s+|the\s+(?:reel|clips?)\s+)?(?:with|on)\s+(?:an?\s+|the\s+)?(?:hook|title)\b/i;
  return opens.test(clause) ? true : undefined;
}

function parsePacing(clause: string): 'slow' | 'medium' | 'fast' | undefined {
  const paced = /\bpac(?:e|ed|ing)\b/i.test(clause);
  if (/\b(?:fast|quick|snappy|punchy)\b/i.test(clause) && (paced || /\b(?:snappy|punchy)\b/i.test(clause))) {
    return 'fast';
  }
  if (/\b(?:slow|relaxed|unhurried)\b/i.test(clause) && paced) return 'slow';
  if (/\b(?:medium|moderate|steady)\b/i.test(clause) && paced) return 'medium';
  return undefined;
}

function parseTone(clause: string): string | undefined {
  const named = /\btone\s*(?::|of|is|should be)?\s*([a-z-]+)/i.exec(clause);
  const candidates = (clause.toLowerCase().match(/[a-z-]+/g) ?? []).filter((word) => word in TONE_WORDS);
  if (candidates[0]) return TONE_WORDS[candidates[0]];
  const word = named?.[1]?.toLowerCase();
  return word && !['and', 'the', 'a', 'to'].includes(word) ? word : undefined;
}

function parseTopic(clause: string): string | undefined {
  const match =
    /\b(?:focus(?:ing)?\s+on|topic\s*(?::|is)|(?:find|pick|use|choose)\s+the\s+(?:part|bit|moment|section)\s+(?:about|on|where\s+they\s+(?:talk|discuss)\s+(?:about\s+)?))\s*(.+)$/i.exec(
      clause,
    );
  return match?.[1]?.replace(/^(?:the\s+)/i, '').trim() || undefined;
}

export function parseInstructionsOffline(instructions: string): ParsedDirectives {
  const directives: ParsedDirectives = { overlays: [], cutaways: [], unparsed: [] };
  for (const clause of clauses(instructions)) {
    const media = MEDIA.exec(clause);
    if (media) {
      const parsed = parseMedia(clause, media);
      if (typeof parsed === 'string') directives.unparsed.push(parsed);
      else (parsed.kind === 'overlay' ? directives.overlays : directives.cutaways).push(parsed.media);
      continue;
    }
    let understood = false;
    const topic = parseTopic(clause);
    if (topic) {
      directives.topic = topic.slice(0, 200);
      understood = true;
    }
    const length = topic ? undefined : parseLength(clause);
    if (length !== undefined) {
      if (length >= 30 && length <= 120) directives.durationS = length;
      else directives.unparsed.push(`${clause} (a reel is 30–120 s long)`);
      understood = true;
    }
    const transition = parseTransition(clause);
    if (transition) {
      directives.transition = transition;
      understood = true;
    }
    const hook = parseHookTitle(clause);
    if (hook !== undefined) {
      directives.hook = hook;
      understood = true;
    }
    const pacing = parsePacing(clause);
    if (pacing) {
      directives.narrative = { ...directives.narrative, pacing };
      understood = true;
    }
    const tone = topic ? undefined : parseTone(clause);
    if (tone) {
      directives.narrative = { ...directives.narrative, tone };
      understood = true;
    }
    if (!understood) directives.unparsed.push(clause);
  }
  return directives;
}
