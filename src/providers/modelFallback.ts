/**
 * An ordered list of models for one setting (VEO3_MODEL, GEMINI_TEXT_MODEL, GEMINI_IMAGE_MODEL).
 * A model the provider answers 404 "no longer available" (or "not found") for is skipped, for good,
 * in favour of the next; when none is left the call fails with a message naming the setting. A 404
 * is an answer, so no job was created: trying the next model cannot pay twice.
 */
import { ApiError } from '@google/genai';
import type { Backend, ModelKind } from '../domain/models';
import { modelUnavailableMessage } from '../domain/models';

export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

/** A 404 about the model itself (not about an operation or a file). */
export function isModelGone(err: unknown): boolean {
  // The Interactions client (Gemini Omni) throws its own error class, also with `status`.
  const status = err instanceof ApiError ? err.status : (err as { status?: unknown } | undefined)?.status;
  return (
    err instanceof Error &&
    status === 404 &&
    /no longer available|is not found for API version|not supported for|models\/[^ ]+ is not found/i.test(err.message)
  );
}

export class ModelChain {
  private index = 0;

  constructor(
    readonly kind: ModelKind,
    readonly backend: Backend,
    readonly models: string[],
  ) {
    if (models.length === 0) throw new Error(`no ${kind} model configured`);
  }

  /** The model calls go to now. */
  get current(): string {
    return this.models[Math.min(this.index, this.models.length - 1)]!;
  }

  /** Calls `work` with the first model still served; returns its result and the model that answered. */
  async run<T>(work: (model: string) => Promise<T>): Promise<{ result: T; model: string }> {
    for (;;) {
      if (this.index >= this.models.length) {
        throw new ModelUnavailableError(
          modelUnavailableMessage(this.kind, this.backend, this.models, 'HTTP 404 "is no longer available"'),
        );
      }
      const model = this.models[this.index]!;
      try {
        return { result: await work(model), model };
      } catch (err) {
        if (!isModelGone(err)) throw err;
        // Concurrent calls may have moved on already.
        if (this.models[this.index] === model) this.index += 1;
      }
    }
  }
}
