/**
 * What paid text and image calls used, as the API reported it. Providers are shared by concurrent
 * activities, so usage is collected per activity call through AsyncLocalStorage: the activity runs
 * its provider work inside `collectUsage` and gets back every call made on its behalf. The same
 * scope may carry a gate that every paid call passes first (`beforePaidCall`): the budget caps
 * refuse a call there, before anything is sent.
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

/** A paid call about to be made. */
export interface PaidCall {
  kind: Usage['kind'];
  model: string;
}
/** Resolves when the call may be made; throws (and the call is not made) when it may not. */
export type PaidCallGate = (call: PaidCall) => Promise<void>;

const scope = new AsyncLocalStorage<{ usage: Usage[]; gate?: PaidCallGate }>();

/** Called by a provider right before a paid request: the caps may refuse it here. */
export async function beforePaidCall(call: PaidCall): Promise<void> {
  await scope.getStore()?.gate?.(call);
}

export function recordUsage(usage: Usage): void {
  scope.getStore()?.usage.push(usage);
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

/**
 * Runs `work`, collecting the usage of the paid calls it makes into `usage` (the caller's array, so
 * it holds what was paid even when `work` throws), each call first passing `gate`.
 */
export async function collectUsage<T>(work: () => Promise<T>, usage: Usage[] = [], gate?: PaidCallGate): Promise<T> {
  return scope.run({ usage, ...(gate ? { gate } : {}) }, work);
}
