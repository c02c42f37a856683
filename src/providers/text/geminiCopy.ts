/**
 * CONTENT through Gemini: publishing copy and B-roll prompts as structured output. The model sees
 * the moment's transcript with times, the run's topic and narrative override, the rules the QA gate
 * checks, and (on a rework) the gate's feedback on the previous attempt.
 *
 * Only the answer's shape is enforced here (a malformed answer is MODEL_OUTPUT_INVALID); the
 * stage's rules (anchors quoted verbatim, distinct descriptions, prompt count) are the QA gate's
 * to judge, because its feedback tells the model precisely what to fix.
 */
import { z } from 'zod';
import type { Moment, PublishingAssets } from '../../domain/reel';
import type { CopyRequest } from './types';

/** What the model fills in: the assets without `generator` (the adapter names itself). */
export const ModelCopySchema = z.object({
  descriptions: z
    .array(z.string().min(1))
    .length(3)
    .describe('three distinct descriptions for the reel, each one to three sentences'),
  hashtags: z
    .array(z.string().regex(/^#\w+$/))
    .min(1)
    .describe('hashtags, each "#" followed by letters, digits or underscores only'),
  music_mood: z.string().min(1).describe('the mood of the background music, a few words'),
  veo3_prompts: z.array(
    z.object({
      variant: z.enum(['intro', 'broll', 'transition', 'outro']),
      prompt: z.string().min(1).describe('what the B-roll clip shows'),
      narrative_anchor: z
        .string()
        .min(1)
        .describe('a phrase of 3 to 8 words copied character for character from ONE transcript line'),
      duration_s: z.literal([4, 6, 8]).describe('clip length in seconds'),
    }),
  ),
});
export type ModelCopy = z.infer<typeof ModelCopySchema>;

/** The part of the text model this needs (GeminiTextModel has it). */
export interface JsonModel {
  readonly name: string;
  generateJson<T>(schema: z.ZodType<T>, prompt: string): Promise<T>;
}

/** How many B-roll prompts to ask for: as requested, but no more than the moment has lines to anchor them. */
export function copyPromptCount(moment: Moment, maxPrompts: number): number {
  return Math.max(0, Math.min(maxPrompts, moment.cues.length));
}

const PACING_HINTS = {
  fast: 'fast: short, punchy copy and 4-second clips',
  medium: 'medium: 4- or 6-second clips',
  slow: 'slow: unhurried copy and 8-second clips',
} as const;

/** The prompt for one attempt; exported so tests and people can read what the model is told. */
export function copyPrompt(moment: Moment, request: CopyRequest): string {
  const count = copyPromptCount(moment, request.maxPrompts);
  const lines = moment.cues.map((cue) => `[${cue.startS.toFixed(1)}–${cue.endS.toFixed(1)} s] ${cue.text}`);
  const { tone, pacing } = request.narrative ?? {};
  const promptsAsked =
    count === 0
      ? 'Write no B-roll prompts: veo3_prompts must be an empty list.'
      : `Write exactly ${count} B-roll prompt${count === 1 ? '' : 's'}` +
        (count < request.maxPrompts ? ` (only ${count}: the moment is short)` : '') +
        '.';
  const parts = [
    'You write the publishing copy for a short vertical reel cut from a podcast, and prompts for the documentary B-roll clips cut into it.',
    `Topic: ${request.topic ?? 'whatever the moment is about'}.`,
    `Tone: ${tone ?? 'match the moment'}. Pacing: ${pacing ? PACING_HINTS[pacing] : 'medium'}.`,
    '',
    `The moment's transcript (${moment.startS.toFixed(1)}–${moment.endS.toFixed(1)} s of the source), one line per subtitle:`,
    ...lines,
    '',
    promptsAsked,
    'Rules:',
    '- descriptions: exactly 3, each different from the others, in the tone asked for.',
    '- hashtags: each one "#" followed by a single word (letters, digits or underscores), no spaces.',
    '- music_mood: a few words that fit the tone.',
    '- narrative_anchor: copy a phrase verbatim from ONE transcript line above (same words, spelling and punctuation; no times, no quotation marks, no ellipsis). The clip is placed where that phrase is spoken, so spread the anchors over the moment.',
    '- variant: "intro" for the first clip when there are 2 or more, "outro" for the last when there are 3 or more, "broll" (or "transition") for the others.',
    '- duration_s: 4, 6 or 8.',
    "- prompt: documentary B-roll that illustrates what is said at the anchor: places, objects, hands, details. No text, captions or logos on screen, and never the speakers' faces.",
  ];
  if (request.feedback.length > 0) {
    parts.push('', 'Your previous answer was rejected:', ...request.feedback.map((line) => `- ${line}`));
    parts.push('Fix every one of these problems in this answer.');
  }
  return parts.join('\n');
}

/** Asks the model for the copy; the assets carry the model's name as their generator. */
export async function geminiPublishingAssets(
  model: JsonModel,
  moment: Moment,
  request: CopyRequest,
): Promise<PublishingAssets> {
  const answer = await model.generateJson(ModelCopySchema, copyPrompt(moment, request));
  return { generator: model.name, ...answer };
}
