/// <reference lib="dom" />
// The lab's API token in the console. `nvlab console` prints a URL that carries it in its
// fragment (`#token=...`), which a browser never sends to a server: the page takes it from there
// once, keeps it for the tab's life (sessionStorage: gone with the tab, never shared with
// another), and takes it out of the address bar, so that it stays out of the history, bookmarks
// and screenshots. Every request to the API sends it (api.ts).
import { CONSOLE_TOKEN_KEY } from '../model/api-auth.ts';

const STORAGE_KEY = 'nvlab.api-token';

type Place = Pick<Window, 'location' | 'history' | 'sessionStorage'>;

/** Takes the token from the URL's fragment, if it holds one. */
export function adoptUrlToken(win: Place = window): void {
  const params = new URLSearchParams(win.location.hash.slice(1));
  const token = params.get(CONSOLE_TOKEN_KEY);
  if (token === null) return;
  try {
    win.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage refused (a private mode): the page asks without the token, and says so on 401.
  }
  params.delete(CONSOLE_TOKEN_KEY);
  const rest = params.toString();
  win.history.replaceState(win.history.state, '', `${win.location.pathname}${win.location.search}${rest ? `#${rest}` : ''}`);
}

/** The token this tab holds, if any. */
export function apiToken(storage: Storage | undefined = globalThis.sessionStorage): string | undefined {
  try {
    return storage?.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
