import { describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import { parseHfHtml } from '../../src/sources/hf-html.js';
import { parseHfJson } from '../../src/sources/hf-json.js';
import { parseIssue } from '../../src/sources/index.js';
import { fixture } from '../helpers.js';

const sample = (): unknown[] => JSON.parse(fixture('hf-daily-papers.sample.json')) as unknown[];
const flat = (): Record<string, unknown> =>
  (sample()[0] as { paper: Record<string, unknown> }).paper;

function thrown(fn: () => unknown): PaperboyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PaperboyError);
    return error as PaperboyError;
  }
  throw new Error('expected a PaperboyError');
}

describe('/api/daily_papers items', () => {
  const [issue] = parseHfJson(sample(), { today: '2026-11-27' });

  it('groups papers by the day they entered Daily Papers', () => {
    expect(issue?.date).toBe('2026-03-06');
    expect(issue?.papers.map((p) => p.id)).toEqual(['2602.23229', '2603.01234']);
    expect(issue?.warnings).toEqual([]);
  });

  it('reads the real record field by field', () => {
    expect(issue?.papers[0]).toEqual({
      id: '2602.23229',
      title: 'Large Multimodal Models as General In-Context Classifiers',
      abstract: expect.stringMatching(
        /^Which multimodal model should we use.*flexible alternative to specialized models\.$/,
      ),
      authors: [
        'Marco Garosi',
        'Matteo Farina',
        'Alessandro Conti',
        'Massimiliano Mancini',
        'Elisa Ricci',
      ],
      authorsCount: 5,
      organization: 'Multimedia and Human Understanding Group',
      publishedAt: '2026-02-26',
      upvotes: 10,
      comments: 1,
      links: {
        paper: 'https://huggingface.co/papers/2602.23229',
        arxiv: 'https://arxiv.org/abs/2602.23229',
        pdf: 'https://arxiv.org/pdf/2602.23229',
        code: 'https://github.com/marco-garosi/CIRCLE',
        project: 'https://circle-lmm.github.io/',
      },
      summary: expect.stringMatching(/^Large Multimodal Models demonstrate/),
      keywords: expect.arrayContaining(['Vision-Language Models', 'in-context learning']),
    });
  });

  it('reads a fresh paper without the optional fields', () => {
    expect(issue?.papers[1]).toMatchObject({
      abstract:
        'We study magnitude pruning of graph neural networks for multivariate time series forecasting. Our method removes 90% of the weights while keeping accuracy.',
      organization: null,
      upvotes: 0,
      comments: 0,
      summary: null,
      keywords: [],
      links: { code: null, project: null },
    });
  });

  it('takes upvotes from the paper and comments from the outer item', () => {
    const items = sample();
    (items[0] as { numComments: number }).numComments = 7;
    expect(parseHfJson(items)[0]?.papers[0]).toMatchObject({ upvotes: 10, comments: 7 });
  });

  it('normalizes githubRepo given as owner/repo', () => {
    const items = sample() as { paper: Record<string, unknown> }[];
    (items[1] as { paper: Record<string, unknown> }).paper.githubRepo = 'owner/repo';
    expect(parseHfJson(items)[0]?.papers[1]?.links.code).toBe('https://github.com/owner/repo');
  });

  it('falls back to a code link in the abstract', () => {
    const items = sample() as { paper: Record<string, unknown> }[];
    (items[1] as { paper: Record<string, unknown> }).paper.summary =
      'Code: https://github.com/a/b).';
    expect(parseHfJson(items)[0]?.papers[1]?.links.code).toBe('https://github.com/a/b');
  });

  it('a forced date (a live fetch for a day) wins over submittedOnDailyAt', () => {
    expect(parseHfJson(sample(), { date: '2026-03-09' }).map((i) => i.date)).toEqual([
      '2026-03-09',
    ]);
  });

  it('keeps each paper once', () => {
    const items = sample();
    const [only] = parseHfJson([...items, items[0]]);
    expect(only?.papers).toHaveLength(2);
    expect(only?.warnings[0]?.message).toContain('appears more than once');
  });
});

describe('the flat /api/papers/{id} object', () => {
  it('parses a single object, dated by submittedOnDailyAt', () => {
    const issues = parseHfJson(flat());
    expect(issues.map((i) => [i.date, i.papers.map((p) => p.id)])).toEqual([
      ['2026-03-06', ['2602.23229']],
    ]);
    expect(issues[0]?.papers[0]?.comments).toBe(0);
  });

  it('dates a paper without submittedOnDailyAt by --date, with a note', () => {
    const paper = { ...flat(), submittedOnDailyAt: undefined };
    const [issue] = parseHfJson(paper, { anchorDate: '2026-03-10' });
    expect(issue?.date).toBe('2026-03-10');
    expect(issue?.warnings[0]?.message).toContain('no submittedOnDailyAt');
  });
});

describe('JSON of the wrong shape names the JSON path', () => {
  it.each([
    ['a string', '"hello"', '(top level): expected an array of daily papers'],
    ['a number', '42', '(top level): expected an array'],
    ['an unrelated object', '{"foo": 1}', '(top level): expected an array'],
    [
      'a title that is not a string',
      '[{"paper": {"id": "1", "title": 3}}]',
      '[0].paper.title: expected a string',
    ],
    [
      'authors not an array',
      '[{"paper": {"id": "1", "title": "t", "authors": "x"}}]',
      '[0].paper.authors: expected an array',
    ],
    [
      'an author without a name',
      '[{"paper": {"id": "1", "title": "t", "authors": [{}]}}]',
      '[0].paper.authors[0].name: expected a string',
    ],
    [
      'upvotes as text',
      '{"id": "1", "title": "t", "upvotes": "many"}',
      'upvotes: expected a number',
    ],
    ['a null item', '[null]', '[0]: expected an object'],
  ])('%s', (_name, json, message) => {
    const error = thrown(() => parseIssue(json, { format: 'hf-json', today: '2026-11-27' }));
    expect(error.kind).toBe('invalidInput');
    expect(error.message).toContain(message);
  });

  it('keeps the good items of a partly broken array and warns about the rest', () => {
    const items = sample();
    const broken = [items[0], { paper: { id: 'x', title: 5 } }, items[1]];
    const [issue] = parseHfJson(broken);
    expect(issue?.papers.map((p) => p.id)).toEqual(['2602.23229', '2603.01234']);
    expect(issue?.warnings).toEqual([
      { line: null, message: '[1].paper.title: expected a string; item skipped' },
    ]);
  });

  it('names the line and column of malformed JSON', () => {
    const error = thrown(() => parseIssue('[\n  {"paper": 1},\n  ,\n]', { label: 'x.json' }));
    expect(error.message).toBe('x.json:3:3: malformed JSON: expected a value');
  });

  it('an empty array is an empty issue, not an error', () => {
    expect(parseHfJson([], { date: '2025-11-01' })).toEqual([
      { date: '2025-11-01', papers: [], warnings: [] },
    ]);
  });
});

describe('the HF papers page (HTML)', () => {
  it('reads the papers from the DailyPapers data-props', () => {
    const issues = parseHfHtml(fixture('hf-papers-page.sample.html'));
    expect(issues.map((i) => [i.date, i.papers.map((p) => p.id)])).toEqual([
      ['2026-03-06', ['2602.23229', '2603.01234']],
    ]);
    expect(issues[0]?.papers[0]?.abstract).toContain("than CLIP's, LMMs");
    expect(issues[0]?.papers[0]?.abstract).toContain('their "in-context" equivalent');
  });

  it('is detected from the content', () => {
    const issues = parseIssue(fixture('hf-papers-page.sample.html'));
    expect(issues[0]?.papers).toHaveLength(2);
  });

  it('reads searchResults on a search page', () => {
    const items = JSON.stringify({ searchResults: sample() })
      .replace(/&/g, '&amp;')
      .replace(/"/g, '&quot;');
    const html = `<!doctype html><html><body><div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${items}"></div></body></html>`;
    expect(parseHfHtml(html)[0]?.papers.map((p) => p.id)).toEqual(['2602.23229', '2603.01234']);
  });

  it.each([
    [
      'no hydration element',
      '<html><body><p>hello</p></body></html>',
      'no element with data-target="DailyPapers"',
    ],
    ['broken JSON', '<div data-target="DailyPapers" data-props="{oops"></div>', 'not valid JSON'],
    [
      'no papers key',
      '<div data-target="DailyPapers" data-props="{&quot;x&quot;:1}"></div>',
      'neither "dailyPapers" nor "searchResults"',
    ],
  ])('%s is a clear error', (_name, html, message) => {
    const error = thrown(() => parseHfHtml(html));
    expect(error.kind).toBe('invalidInput');
    expect(error.message).toContain(message);
  });
});
