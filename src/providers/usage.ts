/**
 * What paid text and image calls used, as the API reported it. Providers are shared by concurrent
 * activities, so usage is collected per activity call through AsyncLocalStorage: the activity runs
 * its provider work inside `collectUsage` and gets back every call made on its behalf.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Usage {
  kind: 'text' | 'image';
  model: string;
  /** promptTokenCount. */
  inputTokens: number;
  /** candidatesTokenCount + thoughtsTokenCount (thinking is billed as output). */
  outputTokens: number;
  images: number;
}

const scope = new AsyncLocalStorage<Usage[]>();

export function recordUsage(usage: Usage): void {
  scope.getStore()?.push(usage);
}

/** The usage block of a generateContent response, as a Usage record. */
export function usageOf(
  kind: Usage['kind'],
  model: string,
  response: {
    usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number };
  },
  images = 0,
): Usage {
  const meta = response.usageMetadata ?? {};
  return {
    kind,
    model,
    inputTokens: meta.promptTokenCount ?? 0,
    outputTokens: (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0),
    images,
  };
}

export async function collectUsage<T>(work: () => Promise<T>): Promise<{ result: T; usage: Usage[] }> {
  const usage: Usage[] = [];
  const result = await scope.run(usage, work);
  return { result, usage };
}
