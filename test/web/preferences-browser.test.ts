// The preference page in headless Chromium at phone width, with JavaScript off: untick a topic,
// tick another (by keyboard), save; the store has the new topics. Leaves a 375 px screenshot in
// test-artifacts/web/ (`npm run screenshots` makes the README's docs/screenshots/preferences.png).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyHistory, planIssue } from '../../src/plan/index.js';
import type { Subscriber } from '../../src/types.js';
import { launchChromium } from '../browser/chromium.js';
import { seedIssue } from '../render-fixture.js';
import { ADA, startWebServer, type WebServer } from './web-server.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/web/', import.meta.url));

let browser: Browser;
let web: WebServer;

beforeAll(async () => {
  web = await startWebServer({}, 'paperboy-web-browser-');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe('the preference page in Chromium', () => {
  it('at 375 px without JavaScript: untick one topic, tick another, save', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 800 },
      deviceScaleFactor: 1,
      javaScriptEnabled: false,
    });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${web.url}/preferences/${web.token('preferences', ADA)}`);
      expect(response?.status()).toBe(200);

      // Nothing wider than the phone.
      // (Expressions as strings: the project compiles without the DOM library.)
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);

      const graphs = page.getByRole('checkbox', { name: /Graph learning/ });
      const rl = page.getByRole('checkbox', { name: /Reinforcement learning/ });
      await expect(graphs.isChecked()).resolves.toBe(true);
      await expect(rl.isChecked()).resolves.toBe(false);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}preferences-375.png`, fullPage: true });

      // A tap on the label text, and the keyboard for the other.
      await page.locator('label[for="topic-graphs"]').click();
      await rl.focus();
      await page.keyboard.press('Space');
      await expect(graphs.isChecked()).resolves.toBe(false);
      await expect(rl.isChecked()).resolves.toBe(true);

      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.waitForLoadState('load');
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Saved.');
      await page.screenshot({ path: `${ARTIFACTS}preferences-saved-375.png`, fullPage: true });

      const ada = await web.read(ADA);
      expect(ada?.topics).toEqual(expect.arrayContaining(['rl', 'time-series']));
      expect(ada?.topics).not.toContain('graphs');
      expect(ada?.status).toBe('active');
      // The page shows what was saved.
      await expect(rl.isChecked()).resolves.toBe(true);
      await expect(graphs.isChecked()).resolves.toBe(false);

      // The next plan gives Ada the new topics' papers and drops the old topic's.
      const plan = planIssue({ issue: seedIssue() }, [ada as Subscriber], emptyHistory(), {
        maxPapers: 10,
        historyDays: 30,
        sendEmpty: false,
      });
      const titles = plan.segments[0]?.papers.map((paper) => paper.title) ?? [];
      expect(titles).toContain('Gradient Boosting Reinforcement Learning');
      expect(titles).toContain(
        'TimesNet: Temporal 2D-Variation Modeling for General Time Series Analysis',
      );
      expect(titles).not.toContain('Local Augmentation for Graph Neural Networks');
    } finally {
      await context.close();
    }
  });

  it('every form control has a label', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${web.url}/preferences/${web.token('preferences', ADA)}`);
      const unlabelled = await page.evaluate(
        `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter((el) => el.labels.length === 0)
          .map((el) => el.outerHTML)`,
      );
      expect(unlabelled).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
