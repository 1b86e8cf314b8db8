import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import type { Segment } from '../../src/plan/index.js';
import { runMjml } from '../../src/render/compile-mjml.js';
import {
  BUNDLED_TEMPLATES_DIR,
  buildDigestModel,
  createRenderer,
  type DigestInput,
  type DigestTemplates,
  EMAIL_PAPER_LIMIT,
  loadTemplates,
  personalize,
} from '../../src/render/index.js';
import { createSlotMarkers, type SlottedText, toSlotted } from '../../src/render/slots.js';
import type { Issue, Paper } from '../../src/types.js';
import {
  BASE_URL,
  createSeedRenderer,
  loadSeedIssue,
  makeSubscriber,
  planFor,
  segmentInput,
} from './seed-digest.js';

let issue: Issue;

beforeAll(async () => {
  issue = await loadSeedIssue();
});

const recipient = (id: string, name: string | null = null) => ({
  name,
  unsubscribeUrl: `${BASE_URL}/unsubscribe/${id}`,
  preferencesUrl: `${BASE_URL}/preferences/${id}`,
});

describe('MJML runs once per template, never per segment or recipient', () => {
  it('65 recipients in 16 segments: 1 compile, 65 personalized emails', async () => {
    const topicSets: (string[] | 'all')[] = [['graphs'], ['detection'], ['llm', 'agents'], 'all'];
    const subscribers = Array.from({ length: 65 }, (_, i) =>
      makeSubscriber(`r${i}`, topicSets[i % 4] ?? 'all', {
        name: i % 2 === 0 ? `Reader ${i}` : null,
        maxPapers: [3, 5, 10, 25][Math.floor(i / 4) % 4] ?? null,
      }),
    );
    const plan = planFor(issue, subscribers);
    expect(plan.segments.length).toBe(16);
    const { renderer, render } = createSeedRenderer();
    const emails = new Map<string, string>();
    for (const [index, segment] of plan.segments.entries()) {
      const rendered = await render(plan, issue, index);
      for (const r of segment.recipients)
        emails.set(r.subscriberId, personalize(rendered, recipient(r.subscriberId, r.email)).html);
    }
    expect(renderer.stats.mjmlCompiles).toBe(1);
    expect(emails.size).toBe(65);
    // Each copy carries its own recipient's links and nobody else's.
    expect(emails.get('sub_r0')).toContain(`${BASE_URL}/unsubscribe/sub_r0"`);
    expect(emails.get('sub_r0')).not.toContain('sub_r1"');
    expect(new Set(emails.values()).size).toBe(65);
  });

  it('a recipient without a name gets no "Hi ,"', async () => {
    const rendered = await createSeedRenderer().render(
      planFor(issue, [makeSubscriber('x', ['graphs'])]),
      issue,
    );
    const { html, text } = personalize(rendered, recipient('x'));
    expect(load(html).text()).toMatch(/\b\d+ papers on Graph learning & GNNs today\./);
    expect(html).not.toContain('Hi ,');
    expect(text).not.toContain('Hi ,');
  });

  it('escapes per-recipient values in the HTML, not in the text', async () => {
    const rendered = await createSeedRenderer().render(
      planFor(issue, [makeSubscriber('x', ['graphs'])]),
      issue,
    );
    const email = personalize(rendered, { ...recipient('x'), name: 'Bob <script>"&' });
    expect(email.html).toContain('Hi Bob &lt;script&gt;&quot;&amp;, ');
    expect(email.text).toContain('Hi Bob <script>"&, ');
  });
});

describe('MJML before Handlebars makes the email that Handlebars before MJML made', () => {
  // Why the two orders agree: MJML passes the text holding the template's expressions through
  // verbatim (mj-text, mj-raw, mj-title and mj-preview content), and no expression sits in an
  // attribute MJML reads (checkExpressions fails on a template where one would). So filling the
  // expressions in before MJML or after it puts the same escaped strings in the same places. What
  // differs is MJML's own post-processing, which `normalise` applies to both:
  // - MJML merges the Outlook-only comments of adjacent sections; in the compiled template an
  //   mj-raw (`{{/if}}`, `{{#each}}`) sits between them, so each card keeps its own wrapper:
  //   the same tables for Outlook, in more comments;
  // - the minifier collapses runs of whitespace, in the filled-in email on the old path but in
  //   the template on the new one, so two spaces stay where an {{#if}} came out empty. No part
  //   of the email preserves whitespace, so a run of it renders as one space.
  const normalise = (html: string) =>
    html.replace(/<!\[endif]-->\s*<!--\[if mso \| IE]>/g, '').replace(/\s+/g, ' ');

  /** The way every segment was rendered before: Handlebars on the MJML, then MJML. */
  async function renderOldWay(
    templates: DigestTemplates,
    input: Omit<DigestInput, 'markers'>,
  ): Promise<SlottedText> {
    const markers = createSlotMarkers();
    const mjml = templates.compileHtml(templates.mjml)(buildDigestModel({ ...input, markers }));
    return toSlotted(await runMjml(mjml, templates.label('mjml')), markers);
  }

  it('for a full, a capped, a one-paper, an empty and a hostile digest', async () => {
    const [first, ...rest] = issue.papers;
    const hostile: Paper = {
      ...(first as Paper),
      title: `</mj-text><mj-raw><script>alert(1)</script></mj-raw> {{constructor}} "quotes" & 'more'`,
      upvotes: 10_000,
    };
    const hostileIssue = { ...issue, papers: [hostile, ...rest] };
    const plan = planFor(hostileIssue, [
      makeSubscriber('ada', ['graphs', 'time-series'], { name: 'Ada' }),
      makeSubscriber('all', 'all', { maxPapers: 100 }),
      makeSubscriber('one', ['detection'], { maxPapers: 1 }),
    ]);
    const inputs = plan.segments.map((_s, i) => segmentInput(plan, hostileIssue, i));
    const some = inputs[0] as Omit<DigestInput, 'markers'>;
    const nothing: Segment = { ...some.segment, papers: [], matched: 0, alreadySent: 0 };
    inputs.push({ ...some, segment: nothing });

    const templates = loadTemplates();
    const renderer = createRenderer(templates);
    const reader = recipient('sub_x', 'Ada <b>');
    const shown: number[] = [];
    let hostileShown = 0;
    for (const input of inputs) {
      const rendered = await renderer.renderSegment(input);
      const { html } = personalize(rendered, reader);
      const old = personalize({ ...rendered, html: await renderOldWay(templates, input) }, reader);
      expect(normalise(html)).toBe(normalise(old.html));
      shown.push(rendered.paperIds.length);
      if (rendered.paperIds.includes(hostile.id)) {
        hostileShown++;
        expect(html).toContain('&lt;/mj-text&gt;&lt;mj-raw&gt;&lt;script&gt;');
      }
    }
    expect(shown).toEqual([10, EMAIL_PAPER_LIMIT, 1, 0]);
    expect(hostileShown).toBeGreaterThan(0);
    expect(renderer.stats.mjmlCompiles).toBe(1);
  });

  it('gives the first card no top border, every later card one, and each its own Outlook table', async () => {
    const plan = planFor(issue, [makeSubscriber('x', ['graphs'])]);
    const { html } = personalize(await createSeedRenderer().render(plan, issue), recipient('x'));
    const $ = load(html);
    const styles = $('.pb-card > table > tbody > tr > td')
      .map((_i, td) => $(td).attr('style'))
      .get();
    expect(styles).toHaveLength(11); // 10 papers and "more papers on the web"
    expect(styles[0]).toMatch(/^border-top:0;/);
    for (const style of styles.slice(1)) expect(style).toMatch(/^border-top:1px solid #d0d7de;/);
    expect(html.match(/<!--\[if mso \| IE]><table [^>]*class="pb-card-outlook"/g)).toHaveLength(11);
  });
});

describe('everything from the input is escaped', () => {
  const hostile = [
    '</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>',
    '{{constructor}} and {{#each this}}x{{/each}}',
    `Quotes & ampersands: < > " ' &amp;`,
  ];

  it.each(hostile)('a title %j shows as text in both parts and breaks nothing', async (title) => {
    const [first, ...rest] = issue.papers.filter((p) => p.topics.includes('graphs'));
    const evil: Paper = {
      ...(first as Paper),
      id: 'evil-paper',
      title,
      abstract: `${title} ${first?.abstract}`,
      upvotes: 10_000,
      matched: { ...first?.matched, graphs: [title] },
    };
    const hostileIssue = { ...issue, papers: [evil, ...rest] };
    const rendered = await createSeedRenderer().render(
      planFor(hostileIssue, [makeSubscriber('x', ['graphs'])]),
      hostileIssue,
    );
    const { html, text } = personalize(rendered, recipient('x', title));
    const $ = load(html);
    expect($('script').length).toBe(0);
    expect($('h2 a').first().text()).toBe(title);
    expect($('.pb-why').first().text()).toContain(title);
    expect(rendered.subject.startsWith(title.slice(0, 20))).toBe(true);
    expect(text).toContain(`1. ${title}`);
    expect(text).toContain(`Hi ${title}, `);
  });
});

describe('template mistakes are clear errors naming the template', () => {
  function brokenCopy(edit: (source: string) => string): string {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-templates-'));
    cpSync(BUNDLED_TEMPLATES_DIR, dir, { recursive: true });
    const path = join(dir, 'digest.mjml');
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
    return dir;
  }

  async function renderError(dir: string): Promise<PaperboyError> {
    const plan = planFor(issue, [makeSubscriber('x', ['graphs'])]);
    const error = await createSeedRenderer(loadTemplates(dir))
      .render(plan, issue)
      .then(
        () => new Error('rendered'),
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(PaperboyError);
    return error as PaperboyError;
  }

  it.each([
    [
      'a misspelt MJML tag',
      (s: string) => s.replace('<mj-column>', '<mj-colum>').replace('</mj-column>', '</mj-colum>'),
      /digest\.mjml: invalid MJML/,
    ],
    [
      'an unknown MJML attribute',
      (s: string) =>
        s.replace('<mj-text css-class="pb-paper">', '<mj-text css-class="pb-paper" colour="red">'),
      /digest\.mjml: invalid MJML: <mj-text>: Attribute colour is illegal$/,
    ],
    [
      'a block helper between sections, outside <mj-raw>',
      (s: string) => s.replace('<mj-raw>{{#if more}}</mj-raw>', '{{#if more}}'),
      /digest\.mjml: MJML dropped or changed \{\{#if more\}\}$/,
    ],
    [
      'Handlebars in an MJML attribute that becomes CSS',
      (s: string) => s.replace('border-top="0"', 'border-top="{{#if @first}}0{{/if}}"'),
      /digest\.mjml: Handlebars in an MJML attribute: .*border-top:\{\{#if @first\}\}0/,
    ],
    [
      'Handlebars in an MJML attribute that MJML copies for Outlook',
      (s: string) =>
        s.replace('border-top="0" css-class="pb-card"', 'border-top="0" css-class="pb-{{rank}}"'),
      /digest\.mjml: Handlebars in an MJML attribute: .*pb-\{\{rank\}\}-outlook/,
    ],
    [
      'an unknown variable',
      (s: string) => s.replace('{{longDate}}', '{{longdate}}'),
      /digest\.mjml: "longdate" not defined/,
    ],
  ])('%s', async (_name, edit, message) => {
    const dir = brokenCopy(edit);
    const error = await renderError(dir);
    expect(error.kind).toBe('config');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(dir);
  });

  it('a Handlebars syntax error', () => {
    const dir = brokenCopy((s) => s.replace('{{/each}}', '{{/eahc}}'));
    expect(() => loadTemplates(dir)).toThrow(/digest\.mjml/);
  });
});
