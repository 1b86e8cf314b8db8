// `npm run screenshots`: pictures of the digest email for the README, taken in headless Chromium
// from the seed issue (Oct 31, 2025) as a reader of graphs and time series gets it. Cropped so the
// README stays light; the browser tests keep full-page shots in test-artifacts/browser/.
import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ColorScheme, launchChromium, openEmail } from '../test/browser/chromium.js';
import { renderSeedDigest } from '../test/render-fixture.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

const SHOTS: { file: string; width: number; height: number; colorScheme: ColorScheme }[] = [
  // A phone: the email fills the screen.
  { file: 'phone.png', width: 375, height: 1400, colorScheme: 'light' },
  // A desktop client's reading pane: wider than the 600 px email, so its margins show.
  { file: 'desktop.png', width: 720, height: 1100, colorScheme: 'light' },
  { file: 'desktop-dark.png', width: 720, height: 1100, colorScheme: 'dark' },
];

const digest = await renderSeedDigest({ topics: ['graphs', 'time-series'], name: 'Ada' });
mkdirSync(OUT, { recursive: true });
const browser = await launchChromium();
try {
  for (const { file, width, height, colorScheme } of SHOTS) {
    const { context, page } = await openEmail(browser, digest.email.html, {
      width,
      height,
      colorScheme,
    });
    const path = `${OUT}${file}`;
    await page.screenshot({ path });
    await context.close();
    console.log(`${relative(process.cwd(), path)}  ${width}x${height} ${colorScheme}`);
  }
} finally {
  await browser.close();
}

await import('./screenshot-preferences.js');
