// The rendered digest in a real browser (headless Debian Chromium): at a phone's 375 px and the
// email's 600 px, in light and dark mode, nothing overflows sideways, every paper title shows,
// and all text meets WCAG AA contrast (4.5:1). Full-page screenshots of each case land in
// test-artifacts/browser/ (git-ignored) for a human look.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureReader, renderSeedDigest, type SeedDigest } from '../render-fixture.js';
import { type ColorScheme, launchChromium, openEmail } from './chromium.js';
import { contrastRatio, effectiveBackground, parseColor, type Rgba, toHex } from './contrast.js';
import { findTexts, measureWidth, type TextElement, textElements } from './in-page.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));
const MIN_CONTRAST = 4.5;

const READERS: { name: string; reader: FixtureReader }[] = [
  // Every topic at the email's paper limit: the longest email, the most chips per paper.
  { name: 'all-topics', reader: { topics: 'all', maxPapers: 25 } },
  { name: 'graphs-time-series', reader: { topics: ['graphs', 'time-series'] } },
];
const VIEWS: { width: number; scheme: ColorScheme }[] = [375, 600].flatMap((width) =>
  (['light', 'dark'] as const).map((scheme) => ({ width, scheme })),
);

interface Measured {
  reader: string;
  width: number;
  scheme: ColorScheme;
  label: string;
  text: string;
  color: string;
  background: string;
  ratio: number;
}

let browser: Browser | undefined;
const digests = new Map<string, SeedDigest>();
const measured: Measured[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  for (const { name, reader } of READERS) digests.set(name, await renderSeedDigest(reader));
});

afterAll(async () => {
  await browser?.close();
  if (measured.length === 0) return;
  // The lowest ratios per palette, one line per distinct element style, for a human to read.
  const lowest = (scheme: ColorScheme) => {
    const seen = new Set<string>();
    return measured
      .filter((m) => m.scheme === scheme)
      .sort((a, b) => a.ratio - b.ratio)
      .filter((m) => {
        const key = `${m.label}|${m.color}|${m.background}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, 12)
      .map(({ label, text, color, background, ratio }) => ({
        ratio: Number(ratio.toFixed(2)),
        color,
        background,
        label,
        text: text.slice(0, 60),
      }));
  };
  writeFileSync(
    `${ARTIFACTS}contrast.json`,
    `${JSON.stringify({ minimum: MIN_CONTRAST, light: lowest('light'), dark: lowest('dark') }, null, 2)}\n`,
  );
});

function digest(name: string): SeedDigest {
  const found = digests.get(name);
  if (!found) throw new Error(`no digest ${name}`);
  return found;
}

function color(value: string): Rgba {
  const parsed = parseColor(value);
  if (!parsed) throw new Error(`unexpected computed colour "${value}"`);
  return parsed;
}

/** The texts the contrast check must have measured: every kind of text the email has. */
function expectedTexts(d: SeedDigest): { what: string; matches(text: string): boolean }[] {
  const { model } = d;
  const exact = (what: string, value: string) => ({ what, matches: (t: string) => t === value });
  const within = (what: string, value: string) => ({
    what,
    matches: (t: string) => t.includes(value),
  });
  const views = model.papers;
  return [
    within('date', model.longDate),
    exact('email title', model.title),
    within('summary', model.summary),
    ...views.map((v) => exact(`title of #${v.rank}`, v.title)),
    ...views.map((v) => exact(`meta of #${v.rank}`, v.meta)),
    ...views.map((v) => within(`abstract of #${v.rank}`, v.abstract.slice(0, 40))),
    ...views.map((v) => within(`why line of #${v.rank}`, v.why)),
    ...[...new Set(views.flatMap((v) => v.chips))].map((chip) => exact(`chip ${chip}`, chip)),
    ...(views.some((v) => v.pdfUrl) ? [exact('PDF link', 'PDF')] : []),
    ...(views.some((v) => v.readMoreUrl) ? [exact('Read more link', 'Read more')] : []),
    ...(views.some((v) => v.codeUrl) ? [exact('Code link', 'Code')] : []),
    ...(model.more ? [exact('more link', model.more.label)] : []),
    exact('footer reason', model.reason),
    exact('preferences link', 'Manage your topics'),
    exact('unsubscribe link', 'Unsubscribe'),
    exact('archive link', 'View in browser'),
    within('postal address', model.sender.postalAddress),
  ];
}

describe.each(READERS)('the $name digest', ({ name }) => {
  describe.each(VIEWS)('at $width px, $scheme', ({ width, scheme }) => {
    let context: BrowserContext | undefined;
    let page: Page;
    let texts: TextElement[];

    beforeAll(async () => {
      if (!browser) throw new Error('no browser');
      ({ context, page } = await openEmail(browser, digest(name).email.html, {
        width,
        colorScheme: scheme,
      }));
      // Before any assertion, so a failing case still leaves its picture behind.
      await page.screenshot({ path: `${ARTIFACTS}${name}-${width}-${scheme}.png`, fullPage: true });
      texts = await page.evaluate(textElements);
    });

    afterAll(async () => {
      await context?.close();
    });

    it('does not scroll or spill sideways', async () => {
      const size = await page.evaluate(measureWidth);
      expect(size.innerWidth).toBe(width);
      expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth);
      expect(size.bodyScrollWidth).toBeLessThanOrEqual(size.innerWidth);
      // A container that hides its overflow would pass the check above and still cut text off.
      const outside = texts
        .filter((t) => t.rect.left < -0.5 || t.rect.right > width + 0.5)
        .map((t) => `${t.label} "${t.text.slice(0, 40)}" ${t.rect.left}..${t.rect.right}`);
      expect(outside).toEqual([]);
    });

    it('shows every selected paper title', async () => {
      const d = digest(name);
      expect(d.papers.length).toBeGreaterThan(0);
      const found = await page.evaluate(
        findTexts,
        d.papers.map((paper) => paper.title),
      );
      for (const title of found) {
        expect(title.count, title.text).toBeGreaterThanOrEqual(1);
        expect(title.visible, title.text).toBe(true);
        expect(title.rect?.width, title.text).toBeGreaterThan(0);
        expect(title.rect?.height, title.text).toBeGreaterThan(0);
        expect(title.rect?.left, title.text).toBeGreaterThanOrEqual(0);
        expect(title.rect?.right, title.text).toBeLessThanOrEqual(width);
      }
    });

    it(`has text contrast of at least ${MIN_CONTRAST}:1`, () => {
      const failures: string[] = [];
      for (const t of texts) {
        const background = effectiveBackground(t.backgrounds.map(color), color(t.canvas));
        const ratio = contrastRatio(color(t.color), background);
        const [fg, bg] = [toHex(color(t.color)), toHex(background)];
        measured.push({ reader: name, width, scheme, ...t, color: fg, background: bg, ratio });
        if (ratio < MIN_CONTRAST) {
          failures.push(
            `${t.label} "${t.text.slice(0, 40)}": ${fg} on ${bg} = ${ratio.toFixed(2)}`,
          );
        }
      }
      expect(failures).toEqual([]);
      // Not vacuous: every kind of text in the email was measured.
      const missing = expectedTexts(digest(name))
        .filter((expected) => !texts.some((t) => expected.matches(t.text)))
        .map((expected) => expected.what);
      expect(missing).toEqual([]);
    });
  });
});
