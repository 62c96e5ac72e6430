/// <reference lib="dom" />
// The console's only way to the lab, as NVP Manager's was: the northbound API of the member that
// served the page (same origin), with the lab's token the page took from its URL (token.ts).
// Every answer says whether the member read it from a replica cut off from its quorum (header
// x-nvstore-stale), and a failure is a value, never a throw, so each view can show what went
// wrong where it would have shown the data.
import { AUTH_SCHEME, CLIENT_HEADER } from '../model/api-auth.ts';
import { NO_QUORUM_MESSAGE } from '../model/api-paths.ts';
import { apiToken } from './token.ts';

export const STALE_HEADER = 'x-nvstore-stale';

/** What the page says when the API refuses it for the token (401). */
export const UNAUTHORIZED_TEXT = "unauthorized: open the URL nvlab console prints (it carries the lab's API token)";

function headers(body: unknown): Record<string, string> {
  const token = apiToken();
  return {
    [CLIENT_HEADER]: 'console',
    ...(token ? { authorization: `${AUTH_SCHEME} ${token}` } : {}),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  };
}

export type Answer<T> =
  | { ok: true; status: number; body: T; stale: boolean }
  | {
      ok: false;
      /** 0: no answer at all (the member is down or unreachable, or it took too long). */
      status: number;
      /** The API's short word (`not found`, `no quorum`, `invalid`), or `no answer`. */
      error: string;
      detail: string;
      body?: unknown;
      stale: boolean;
    };

/** One request, bounded in time; `priority` orders it among those waiting for a connection (a
 *  browser opens only a few to one origin). */
export async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 5000,
  priority: RequestPriority = 'auto',
): Promise<Answer<T>> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetch(path, {
      method,
      cache: 'no-store',
      priority,
      signal: abort.signal,
      headers: headers(body),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const stale = res.headers.get(STALE_HEADER) === 'true';
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return { ok: true, status: res.status, body: json as T, stale };
    const e = (json ?? {}) as { error?: unknown; detail?: unknown };
    return {
      ok: false,
      status: res.status,
      error: typeof e.error === 'string' ? e.error : `HTTP ${res.status}`,
      detail: typeof e.detail === 'string' ? e.detail : text.slice(0, 200),
      body: json,
      stale,
    };
  } catch (err) {
    const detail = abort.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : err instanceof Error ? err.message : String(err);
    return { ok: false, status: 0, error: 'no answer', detail, stale: false };
  } finally {
    clearTimeout(timer);
  }
}

export const get = <T>(path: string, timeoutMs?: number, priority?: RequestPriority) =>
  request<T>('GET', path, undefined, timeoutMs, priority);

/** An answer's failure in one line, for the page; a cluster without quorum by name. */
export const failureText = (a: Answer<unknown>): string => {
  if (a.ok) return '';
  if (a.status === 0) return `${a.error} (${a.detail})`;
  if (a.status === 401) return UNAUTHORIZED_TEXT;
  if (a.status === 503 && a.error === 'no quorum') return `${NO_QUORUM_MESSAGE} (${a.detail})`;
  return `${a.status} ${a.error}: ${a.detail}`;
};
