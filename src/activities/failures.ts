import { ApplicationFailure } from '@temporalio/activity';
import type { ErrorType } from '../domain/errors';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';
import { ProviderError } from '../providers/errors';

/** An activity failure with a type from the shared list; retryability follows the list. */
export function failure(type: ErrorType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: NON_RETRYABLE_ERROR_TYPES.includes(type) });
}

/**
 * Runs provider work and turns a ProviderError into a typed activity failure (a malformed answer is
 * retried; a blocked prompt is not). Other errors pass through unchanged.
 */
export async function asFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ProviderError) throw failure(err.type, err.message);
    throw err;
  }
}
