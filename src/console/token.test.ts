import { describe, expect, it } from 'vitest';
import { failureText } from './api.ts';
import { adoptUrlToken, apiToken } from './token.ts';

/** A tab's location, history and session storage, as far as the token needs them. */
function tab(url: string) {
  const at = new URL(url);
  const items = new Map<string, string>();
  const storage = {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
  } as Storage;
  const place = {
    location: { hash: at.hash, pathname: at.pathname, search: at.search } as Location,
    history: { state: null, replaceState: (_s: unknown, _t: string, u: string) => void (shown = u) } as unknown as History,
    sessionStorage: storage,
  };
  let shown = `${at.pathname}${at.search}${at.hash}`;
  return { place, storage, shown: () => shown };
}

describe("the console's token", () => {
  it('is taken from the fragment once, kept for the tab, and taken out of the address bar', () => {
    const t = tab('https://10.0.0.2:8080/#token=a%2Bb%2Fc');
    adoptUrlToken(t.place);
    expect(apiToken(t.storage)).toBe('a+b/c');
    expect(t.shown()).toBe('/');
    // A reload (the fragment gone) keeps it.
    const again = { ...t.place, location: { hash: '', pathname: '/', search: '' } as Location };
    adoptUrlToken(again);
    expect(apiToken(t.storage)).toBe('a+b/c');
  });

  it('leaves the rest of the fragment, and a URL without a token, alone', () => {
    const t = tab('https://10.0.0.2:8080/?x=1#view=logical&token=s3cret');
    adoptUrlToken(t.place);
    expect(t.shown()).toBe('/?x=1#view=logical');
    const none = tab('https://10.0.0.2:8080/#view=logical');
    adoptUrlToken(none.place);
    expect(apiToken(none.storage)).toBeUndefined();
    expect(none.shown()).toBe('/#view=logical');
  });

  it('says what to do when the member refuses it', () => {
    expect(failureText({ ok: false, status: 401, error: 'unauthorized', detail: 'no token', stale: false })).toBe(
      "unauthorized: open the URL nvlab console prints (it carries the lab's API token)",
    );
  });
});
