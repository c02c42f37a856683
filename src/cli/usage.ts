/** A request a person got wrong (an option, a field, an unknown id): one line saying which, HTTP 400/404. */
export class UsageError extends Error {
  override name = 'UsageError';
}
