import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import { BUNDLED_TEMPLATES_DIR, loadTemplates, personalize } from '../../src/render/index.js';
import type { Issue, Paper } from '../../src/types.js';
import {
  BASE_URL,
  createSeedRenderer,
  loadSeedIssue,
  makeSubscriber,
  planFor,
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

describe('MJML runs once per segment, never per recipient', () => {
  it('N recipients in 2 segments: 2 compiles, N personalized emails', async () => {
    const subscribers = [
      ...Array.from({ length: 40 }, (_, i) =>
        makeSubscriber(`g${i}`, ['graphs'], { name: `Reader ${i}` }),
      ),
      ...Array.from({ length: 25 }, (_, i) => makeSubscriber(`d${i}`, ['detection'])),
    ];
    const plan = planFor(issue, subscribers);
    expect(plan.segments).toHaveLength(2);
    const { renderer, render } = createSeedRenderer();
    const emails: string[] = [];
    for (const [index, segment] of plan.segments.entries()) {
      const rendered = await render(plan, issue, index);
      for (const r of segment.recipients)
        emails.push(personalize(rendered, recipient(r.subscriberId, r.email)).html);
    }
    expect(renderer.stats.mjmlCompiles).toBe(2);
    expect(emails).toHaveLength(65);
    // Each copy carries its own recipient's links and nobody else's.
    expect(emails[0]).toContain(`${BASE_URL}/unsubscribe/sub_g0"`);
    expect(emails[0]).not.toContain('sub_g1"');
    expect(new Set(emails).size).toBe(65);
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
