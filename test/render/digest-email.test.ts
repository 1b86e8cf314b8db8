import { load } from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_PAPER_LIMIT, personalize, type RenderedSegment } from '../../src/render/index.js';
import type { Issue } from '../../src/types.js';
import {
  BASE_URL,
  createSeedRenderer,
  loadSeedIssue,
  makeSubscriber,
  POSTAL_ADDRESS,
  planFor,
} from './seed-digest.js';

const RECIPIENT = {
  name: 'Ada',
  unsubscribeUrl: `${BASE_URL}/unsubscribe/tok_1?k=a&v=1`,
  preferencesUrl: `${BASE_URL}/preferences/tok_1`,
};

let issue: Issue;
let rendered: RenderedSegment;
let html: string;
let text: string;

beforeAll(async () => {
  issue = await loadSeedIssue();
  const plan = planFor(issue, [makeSubscriber('ada', ['graphs', 'time-series'])]);
  rendered = await createSeedRenderer().render(plan, issue);
  ({ html, text } = personalize(rendered, RECIPIENT));
});

describe('the digest email (HTML)', () => {
  it('has every selected paper, its title linking to its page', () => {
    const $ = load(html);
    expect(rendered.paperIds).toHaveLength(10);
    for (const id of rendered.paperIds) {
      const paper = issue.papers.find((p) => p.id === id);
      const link = $('h2 a').filter((_i, a) => $(a).text() === paper?.title);
      expect(link.length, paper?.title).toBe(1);
      expect(link.attr('href')).toBe(paper?.links.paper);
    }
  });

  it('declares its language, title, dark-mode support and no web fonts', () => {
    const $ = load(html);
    expect($('html').attr('lang')).toBe('en');
    expect($('title').text()).toBe(rendered.subject);
    expect($('meta[name="color-scheme"]').attr('content')).toBe('light dark');
    expect($('meta[name="supported-color-schemes"]').attr('content')).toBe('light dark');
    expect($('style').text()).toContain('@media (prefers-color-scheme: dark)');
    expect(html).not.toMatch(/fonts\.googleapis|@import|@font-face/);
  });

  it('has a preheader of 40-130 characters that is not the subject', () => {
    expect(rendered.preheader.length).toBeGreaterThanOrEqual(40);
    expect(rendered.preheader.length).toBeLessThanOrEqual(130);
    expect(rendered.preheader).not.toBe(rendered.subject);
    expect(load(html).text()).toContain(rendered.preheader);
  });

  it('builds the subject from the date and the top paper', () => {
    const top = issue.papers.find((p) => p.id === rendered.paperIds[0]);
    const [title, rest] = rendered.subject.split(' · ');
    expect(rest).toBe('Trending papers, Oct 31');
    // A long title is cut at a word, with an ellipsis.
    expect(title?.length).toBeLessThanOrEqual(90);
    expect(title).toMatch(/…$/);
    expect(top?.title.startsWith(title?.slice(0, -1) ?? '?')).toBe(true);
  });

  it('has the footer links, personalized, and the postal address', () => {
    const $ = load(html);
    const href = (label: string) =>
      $('a')
        .filter((_i, a) => $(a).text() === label)
        .attr('href');
    expect(href('Unsubscribe')).toBe(RECIPIENT.unsubscribeUrl);
    expect(href('Manage your topics')).toBe(RECIPIENT.preferencesUrl);
    expect(href('View in browser')).toBe(
      `${BASE_URL}/issues/2025-10-31?segment=${rendered.segmentId}`,
    );
    expect($.text()).toContain(POSTAL_ADDRESS);
    expect($.text()).toContain(
      'Hi Ada, 10 papers on Graph learning & GNNs and Time series & forecasting today.',
    );
  });

  it('links only to absolute https URLs', () => {
    const $ = load(html);
    const hrefs = $('a[href]')
      .map((_i, a) => $(a).attr('href'))
      .get();
    expect(hrefs.length).toBeGreaterThan(20);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\/[^\s"<>]+$/);
  });

  it('shows why each paper was chosen, with topic chips', () => {
    const $ = load(html);
    expect($('.pb-why').length).toBe(10);
    expect($('.pb-why').first().text()).toMatch(/^Why you got this: graph neural network, /);
    expect($('.pb-chip').first().text()).toBe('Graph learning & GNNs');
  });

  it('says how many more papers are on the web when capped', () => {
    expect(
      load(html)('a').filter((_i, a) =>
        /more papers on your topics on the web/.test(load(a).text()),
      ).length,
    ).toBe(1);
  });
});

describe('the plain-text part', () => {
  it('has every link of the HTML verbatim, unescaped', () => {
    const $ = load(html);
    const hrefs = new Set(
      $('a[href]')
        .map((_i, a) => $(a).attr('href'))
        .get(),
    );
    for (const href of hrefs) expect(text, href).toContain(href);
    expect(text).not.toMatch(/&amp;|&#x3D;|&#x27;|&quot;/);
    expect(text).toContain(`Unsubscribe: ${RECIPIENT.unsubscribeUrl}`);
    expect(text).toContain(POSTAL_ADDRESS);
  });

  it('reads as text: numbered titles, no markup', () => {
    expect(text).toMatch(/^Trending papers · Friday, October 31, 2025\n\nHi Ada, 10 papers on/);
    expect(text).toMatch(/\n1\. TANGNN/);
    expect(text).not.toMatch(/<[a-z][^>]*>/i);
  });
});

describe('size', () => {
  it(`stays under 100 KB for the worst case: every topic, ${EMAIL_PAPER_LIMIT} papers, the longest titles`, async () => {
    // Longest titles first, so the email holds the heaviest papers of the seed.
    const heavy = {
      ...issue,
      papers: [...issue.papers].sort(
        (a, b) => b.title.length + b.abstract.length - (a.title.length + a.abstract.length),
      ),
    };
    const plan = planFor(heavy, [makeSubscriber('all', 'all', { maxPapers: 100 })]);
    const worst = await createSeedRenderer().render(plan, heavy);
    const email = personalize(worst, { ...RECIPIENT, name: 'A'.repeat(60) });
    expect(worst.paperIds).toHaveLength(EMAIL_PAPER_LIMIT);
    expect(Buffer.byteLength(email.html)).toBeLessThan(100 * 1024);
    expect(email.html).toContain('more papers on your topics on the web');
  });
});
