/**
 * Talking to the reelflow API from the page: the bearer token (asked once, kept in sessionStorage,
 * so for this tab only), JSON errors turned into messages, and tickets for URLs the browser loads
 * by itself (video, downloads, live streams), which cannot carry the token's header.
 */
const TOKEN_KEY = 'reelflow.token';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export const auth = {
  required: false,
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  /** Called when the API refuses us for want of a (right) token. */
  onNeeded: (): void => {},
  /** The page may act: no token is needed, or one is set. */
  get ready(): boolean {
    return !this.required || this.token !== '';
  },
};

export function setToken(token: string): void {
  auth.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  tickets.clear();
}

/** The JSON body of a response, or its text when it is not JSON. */
async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface Answer<T> {
  status: number;
  ok: boolean;
  body: T;
}

/** Calls the API and returns the answer whatever its status (for actions whose refusals are news). */
export async function call<T = unknown>(
  path: string,
  init: { method?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
  token = auth.token,
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const body = (await bodyOf(response)) as T;
  if (response.status === 401 && token === auth.token) {
    auth.required = true;
    auth.onNeeded();
  }
  return { status: response.status, ok: response.ok, body };
}

/** Calls the API; a non-2xx answer throws an ApiError carrying the API's own words. */
export async function api<T = unknown>(path: string, init: Parameters<typeof call>[1] = {}): Promise<T> {
  if (!auth.ready) throw new ApiError('Enter the API token first.', 401, null);
  const answer = await call<T>(path, init);
  if (!answer.ok) throw new ApiError(errorText(answer), answer.status, answer.body);
  return answer.body;
}

/** The API's error in words: its `error` field, else the status. */
export function errorText(answer: Answer<unknown>): string {
  const error = (answer.body as { error?: unknown } | null)?.error;
  if (answer.status === 401) return 'The API refused the token: enter the right one.';
  return typeof error === 'string' ? error : `the API answered HTTP ${answer.status}`;
}

const tickets = new Map<string, { ticket: string | null; until: number }>();

/** `url` with a ticket for `scope` (a run id or "runs") when the API needs a token. */
export async function ticketed(url: string, scope: string): Promise<string> {
  if (!auth.required) return url;
  let held = tickets.get(scope);
  if (!held || held.until < Date.now()) {
    const { ticket, expiresAt } = await api<{ ticket: string | null; expiresAt: string | null }>('/api/tickets', {
      method: 'POST',
      json: { scope },
    });
    // Renew a minute early, so a URL handed out is never about to expire.
    held = { ticket, until: expiresAt ? Date.parse(expiresAt) - 60_000 : Infinity };
    tickets.set(scope, held);
  }
  if (!held.ticket) return url;
  return `${url}${url.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(held.ticket)}`;
}

/**
 * Follows a Server-Sent Events stream: `onChange` gets each JSON message. A stream the server ends
 * (a closed run) is not reopened; a dropped or refused one is reopened with a fresh ticket after
 * 2 s, waiting twice as long after each failure in a row (at most 30 s).
 */
export function follow<T>(
  url: string,
  scope: string,
  onChange: (value: T) => void,
  onProblem: (message: string) => void,
): () => void {
  let source: EventSource | undefined;
  let stopped = false;
  let retry: number | undefined;
  let delay = 2000;
  const again = () => {
    retry = window.setTimeout(() => void open(), delay);
    delay = Math.min(30_000, delay * 2);
  };
  const open = async () => {
    if (stopped) return;
    try {
      source = new EventSource(await ticketed(url, scope));
    } catch (err) {
      onProblem((err as Error).message);
      again();
      return;
    }
    source.addEventListener('change', (event) => {
      delay = 2000;
      onChange(JSON.parse((event as MessageEvent<string>).data) as T);
    });
    source.addEventListener('problem', (event) =>
      onProblem((JSON.parse((event as MessageEvent<string>).data) as { error: string }).error),
    );
    source.addEventListener('end', () => {
      stopped = true;
      source?.close();
    });
    source.onerror = () => {
      if (stopped) return;
      source?.close();
      tickets.delete(scope);
      again();
    };
  };
  void open();
  return () => {
    stopped = true;
    window.clearTimeout(retry);
    source?.close();
  };
}
