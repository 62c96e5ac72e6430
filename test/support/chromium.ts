// Debian's chromium (installed by scripts/bootstrap.sh), headless, driven by puppeteer-core, which
// uses the installed browser and never downloads one. Apart from browser.ts (which needs vitest's
// test state) so that scripts (the console bench) launch it the same way.
import { createHash, X509Certificate } from 'node:crypto';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env.NVLAB_CHROMIUM ?? '/usr/bin/chromium';

/** The base64 SHA-256 of a PEM certificate's public key (chromium's SPKI hash). */
export function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export interface LaunchOptions {
  /** A lab's controllers' authority (PEM): pages served with a certificate chain that holds it
   *  are trusted, and no other certificate a system would not trust. The members send their
   *  chain up to it (src/controller/api/secrets.ts). */
  trust?: string | undefined;
}

export function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  // Root cannot run chromium's sandbox; the pages are our own.
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      ...(options.trust ? [`--ignore-certificate-errors-spki-list=${spkiHash(options.trust)}`] : []),
    ],
  });
}
