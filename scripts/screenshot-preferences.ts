// The preference page at phone width (375 px) for the README: docs/screenshots/preferences.png.
// Served by the real web app over HTTP, for the first subscriber of subscribers.example.json, in
// a scratch copy. Run alone with `npx tsx scripts/screenshot-preferences.ts`, or with the
// email shots by `npm run screenshots`.
import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/browser/chromium.js';
import { ADA, startWebServer } from '../test/web/web-server.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const WIDTH = 375;
const HEIGHT = 1500;

mkdirSync(OUT, { recursive: true });
const web = await startWebServer({}, 'paperboy-screenshot-');
const browser = await launchChromium();
try {
  const context = await browser.newContext({
    viewport: { width: WIDTH, height: HEIGHT },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  await page.goto(`${web.url}/preferences/${web.token('preferences', ADA)}`);
  const path = `${OUT}preferences.png`;
  await page.screenshot({ path });
  await context.close();
  console.log(`${relative(process.cwd(), path)}  ${WIDTH}x${HEIGHT} light`);
} finally {
  await browser.close();
  await web.close();
}
