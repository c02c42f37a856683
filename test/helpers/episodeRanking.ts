/** Reading an episode-ranking prompt as the local Gemini double sees it, to answer like a model would. */
import type { GenerateContentBody } from '../../src/offlineVeo/server';

/** The prompt's text (all parts of all contents). */
export const promptOf = (body: GenerateContentBody): string =>
  (body.contents ?? [])
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join('\n');

/** The candidates the prompt offers: index, span and text (one line each). */
export function candidatesIn(prompt: string): { index: number; startS: number; endS: number; text: string }[] {
  return [...prompt.matchAll(/^Candidate (\d+) \((\d+)–(\d+) s[^)]*\):\n(.+)$/gm)].map((m) => ({
    index: Number(m[1]),
    startS: Number(m[2]),
    endS: Number(m[3]),
    text: m[4]!,
  }));
}

/** The first sentence of a candidate's text: a quote the QA gate finds in the moment. */
export const firstSentence = (text: string): string => /^[^.?!]+[.?!]/.exec(text)?.[0] ?? text;
