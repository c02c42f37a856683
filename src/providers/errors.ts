import type { ErrorType } from '../domain/errors';

/** A provider failure with the pipeline error type it maps to (activities turn it into an ApplicationFailure). */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}
