// Debian's chromium (installed by scripts/bootstrap.sh), headless, driven by puppeteer-core, which
// uses the installed browser and never downloads one. Apart from browser.ts (which needs vitest's
// test state) so that scripts (the console bench) launch it the same way.
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env.NVLAB_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  // Root cannot run chromium's sandbox; the pages are our own.
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
