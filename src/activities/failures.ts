import { ApplicationFailure } from '@temporalio/activity';
import type { ErrorType } from '../domain/errors';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';

/** An activity failure with a type from the shared list; retryability follows the list. */
export function failure(type: ErrorType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: NON_RETRYABLE_ERROR_TYPES.includes(type) });
}
