// How the console tests read the web console in a browser, as a person would: each list's rows as
// text (the cells joined by spaces), the graph's tunnel edges with the state drawn on them, and
// the page's first complete paint (the console marks it when everything was read and drawn).
import type { Page } from 'puppeteer-core';

export interface ConsoleText {
  members: string[];
  nodes: string[];
  tunnels: string[];
  switches: string[];
  routers: string[];
  ports: string[];
}

const LISTS: Record<keyof ConsoleText, string> = {
  members: 'members',
  nodes: 'transport-nodes',
  tunnels: 'tunnels',
  switches: 'logical-switches',
  routers: 'logical-routers',
  ports: 'logical-ports',
};

/** Every list's rows (the placeholder row of an empty list left out). */
export async function consoleText(page: Page): Promise<ConsoleText> {
  const entries = await Promise.all(
    Object.entries(LISTS).map(async ([key, id]) => {
      const rows = await page.$$eval(`#list-${id} tbody tr[data-key]`, (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '').join(' ')),
      );
      return [key, rows] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as ConsoleText;
}

/** The graph's tunnel edges, by id, with the state the console drew on each. */
export const tunnelEdgeStates = (page: Page): Promise<Record<string, string | null>> =>
  page.$$eval('#graph svg [data-id^="tunnel:"]', (es) =>
    Object.fromEntries(es.map((e) => [e.getAttribute('data-id')!, e.getAttribute('data-state')])),
  );

/** Waits until the console has read and drawn everything once. */
export async function waitForReady(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', { timeout: timeoutMs });
}
