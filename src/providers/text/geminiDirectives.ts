/**
 * ROUTER through Gemini: free-form instructions → directives, as structured output in the same
 * schema the offline parser fills. ROUTER still checks every file the answer names (and drops any
 * file the instructions do not mention), so a model cannot invent media.
 */
import type { ParsedDirectives } from '../../domain/directives';
import { PACINGS, ParsedDirectivesSchema, TONES, TRANSITIONS } from '../../domain/directives';
import type { JsonModel } from './geminiCopy';

export function directivesPrompt(instructions: string, feedback: string[]): string {
  return [
    'Read these instructions for cutting a short vertical reel out of a long podcast video, and turn them into directives.',
    '- topic: what the reel should focus on, if the instructions say.',
    '- durationS: the wanted reel length in seconds (30–120), if they say.',
    `- narrative.tone: one word (for example ${TONES.join(', ')}); narrative.pacing: ${PACINGS.join(', ')}.`,
    '- overlays: image files to show over the reel; cutaways: video files to cut to. Copy each file name exactly as written.',
    '  "at" is either {"reelS": seconds from the start of the reel} or {"anchor": the words spoken when it should appear}; durationS if they say how long.',
    `- transition: ${TRANSITIONS.join(', ')}, if they say how to move between shots.`,
    '- hook: true if they ask to open the reel with a title or hook line on screen; false if they ask for none.',
    '- unparsed: every instruction you cannot express in these fields, word for word. Never invent anything.',
    ...(feedback.length ? ['', `Your previous answer was rejected: ${feedback.join(' ')}`] : []),
    '',
    'Instructions:',
    instructions,
  ].join('\n');
}

export function geminiDirectives(
  model: JsonModel,
  instructions: string,
  feedback: string[],
): Promise<ParsedDirectives> {
  return model.generateJson(ParsedDirectivesSchema, directivesPrompt(instructions, feedback));
}
