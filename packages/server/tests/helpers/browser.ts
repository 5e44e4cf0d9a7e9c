import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium: the cockpit is tested in the browser a user would run. */
export const CHROMIUM = '/usr/bin/chromium';
/** Whether this machine has it; the cockpit tests are skipped without it. */
export const hasChromium = existsSync(CHROMIUM);
/** Where the cockpit tests write their screenshots (with a trailing slash). */
export const ARTIFACTS = fileURLToPath(new URL('../e2e/artifacts/', import.meta.url));

const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // MapLibre needs WebGL: software rendering works on machines without a GPU.
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** A Chromium with its page open. */
export interface CockpitBrowser {
  browser: Browser;
  page: Page;
}

/**
 * Launches Chromium and opens one page at the cockpit's size, in English; makes sure
 * ARTIFACTS exists for the screenshots. Close `browser` when done.
 */
export async function launchCockpitBrowser(): Promise<CockpitBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'en-US' });
    return { browser, page };
  } catch (err) {
    // A browser without its page would outlive the test: nobody holds it to close it.
    await browser.close();
    throw err;
  }
}
