// Headless Chromium for the browser tests and `npm run screenshots`: Debian's `chromium` package
// driven by playwright-core (no browser download). `.ci/run` installs the package.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, or PAPERBOY_CHROMIUM (another machine's Chromium or Chrome). */
export const CHROMIUM_PATH = process.env.PAPERBOY_CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: apt-get install chromium) or ` +
        'set PAPERBOY_CHROMIUM to a Chromium or Chrome executable',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export type ColorScheme = 'light' | 'dark';

export interface EmailPage {
  context: BrowserContext;
  page: Page;
}

/**
 * A fresh page showing `html` at `width` CSS pixels in `colorScheme`. Offline: an email must not
 * need the network to render, and a test must not reach it.
 */
export async function openEmail(
  browser: Browser,
  html: string,
  {
    width,
    height = 900,
    colorScheme,
  }: { width: number; height?: number; colorScheme: ColorScheme },
): Promise<EmailPage> {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: 1,
    colorScheme,
    offline: true,
    javaScriptEnabled: true,
  });
  // tsx and esbuild (keepNames) wrap nested functions in `__name(...)` calls; functions handed to
  // page.evaluate run in the page, where that helper does not exist.
  await context.addInitScript('globalThis.__name = (target) => target;');
  const page = await context.newPage();
  await page.setContent(html, { waitUntil: 'load' });
  return { context, page };
}
