// A real browser for tests: Debian's chromium (installed by scripts/bootstrap.sh), headless,
// driven by puppeteer-core, which uses the installed browser and never downloads one. A watched
// page records what a person would not see but a test must: console errors, uncaught
// exceptions and every network request. A failing test leaves a screenshot of the page in
// test-artifacts/ (what CI keeps).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { onTestFailed } from 'vitest';
import { projectRoot } from '../../src/util/paths.ts';

export { CHROMIUM, launchBrowser, spkiHash, type LaunchOptions } from './chromium.ts';
export const TEST_ARTIFACTS = join(projectRoot, 'test-artifacts');

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions, as text. */
  errors: string[];
  /** Every URL the page asked for (data: URLs left out). */
  requests: string[];
}

/** A new page that records errors and requests, and screenshots itself if the test fails. */
export async function watchedPage(browser: Browser, name: string): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const watched: WatchedPage = { page, errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watched.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => watched.errors.push(`exception: ${e instanceof Error ? e.message : String(e)}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('data:')) watched.requests.push(r.url());
  });
  onTestFailed(async () => {
    await mkdir(TEST_ARTIFACTS, { recursive: true });
    const file = join(TEST_ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}-${Date.now()}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: true }).catch(() => {});
    console.error(`browser screenshot of the failed test: ${file}`);
  });
  return watched;
}
