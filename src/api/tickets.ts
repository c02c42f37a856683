/**
 * Tickets let the browser fetch what it cannot send a bearer header with (a <video> source, a
 * download link, an EventSource): a short-lived HMAC of one scope (a project id, or `runs`), signed
 * with the API token, so the token itself never goes into a URL or a log.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TICKET_TTL_MS = 60 * 60 * 1000;

const sign = (token: string, scope: string, expires: number) =>
  createHmac('sha256', token).update(`${scope}|${expires}`).digest('base64url');

export function issueTicket(token: string, scope: string, now = Date.now()): { ticket: string; expiresAt: string } {
  const expires = now + TICKET_TTL_MS;
  return { ticket: `${expires}.${sign(token, scope, expires)}`, expiresAt: new Date(expires).toISOString() };
}

/** Whether `ticket` was issued for `scope` with this token and has not expired. */
export function ticketAllows(token: string, scope: string, ticket: unknown, now = Date.now()): boolean {
  if (typeof ticket !== 'string') return false;
  const match = /^(\d{1,16})\.([\w-]{43})$/.exec(ticket);
  if (!match) return false;
  const expires = Number(match[1]);
  if (expires < now) return false;
  const expected = Buffer.from(sign(token, scope, expires));
  const given = Buffer.from(match[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
