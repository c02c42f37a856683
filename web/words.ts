/** Turning the API's values into plain words for people. */

export function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function clock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** m:ss for a position in a video. */
export function position(s: number): string {
  return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

export function bytes(n: number): string {
  return n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** What each B-roll clip status means, for a person. */
export const CLIP_STATUS_WORDS: Record<string, string> = {
  pending: 'waiting to be sent',
  submitted: 'being generated',
  done: 'ready',
  submit_failed: 'could not be sent (may pass)',
  rate_limited: 'provider busy (may pass)',
  poll_failed: 'lost track of it (may pass)',
  download_failed: 'could not be downloaded',
  generation_failed: 'generation failed',
  invalid_clip: 'the clip was not usable',
  invalid_argument: 'the provider refused the request',
  rai_filtered: 'removed by the safety filter',
  timed_out: 'ran out of time',
  cancelled: 'cancelled',
};

/** Any JSON value as a short sentence: `{a: 1, b: "x"}` → "a 1, b x". */
export function sentence(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(sentence).filter(Boolean).join('; ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => [k, sentence(v)] as const)
    .filter(([, said]) => said !== '')
    .map(([k, said]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} ${said}`)
    .join(', ');
}

/**
 * What an action's answer means: the API answers `{projectId, update, outcome}` (the run's answer to the Update) when it
 * took the action, and an HTTP error with `{error}` (409 when the run refused it) when not.
 */
export function outcomeText(action: string, status: number, body: unknown): string {
  const record = (body ?? {}) as Record<string, unknown>;
  if (status >= 200 && status < 300) {
    const { ok: _ok, projectId: _id, ...rest } = record;
    const said = sentence(rest.outcome ?? rest);
    return `${action}: done${said ? ` — ${said}` : ''}.`;
  }
  const why = typeof record.error === 'string' ? record.error : typeof body === 'string' ? body : `HTTP ${status}`;
  if (status === 409) return `${action} was refused: ${why}`;
  if (status === 401) return `${action} was refused: the API needs its token.`;
  return `${action} failed: ${why}`;
}
