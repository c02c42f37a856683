import type { z } from 'zod';

/**
 * Formats zod issues as one line a person can act on, naming each bad field by its path:
 * `source: Invalid input: expected string, received undefined; durationS: Too big: expected number to be <=120`.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(input)';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** safeParse with a readable message; callers decide how to fail (ApplicationFailure, HTTP 400, CLI exit). */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseOutcome<T> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeIssues(result.error) };
}
