import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/sources/text.js';
import type { ParsedIssue, ParsedPaper } from '../../src/types.js';
import { fixture, SEED_DATE, seedText } from '../helpers.js';

const HEADER =
  'new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\nbyAK and the research community\n\n';

function card(lines: {
  upvotes?: string;
  title: string;
  abstract: string;
  byline?: string;
  date: string;
}): string {
  const parts = [
    lines.upvotes,
    lines.title,
    lines.abstract,
    lines.byline ?? '  • 3 authors',
    '·',
    lines.date,
  ].filter((part) => part !== undefined);
  return `${parts.join('\n\n').replace('\n\n·\n\n', '\n·\n')}\n\n`;
}

function only(issues: ParsedIssue[]): ParsedIssue {
  expect(issues).toHaveLength(1);
  return issues[0] as ParsedIssue;
}

function byTitle(issue: ParsedIssue, start: string): ParsedPaper {
  const paper = issue.papers.find((p) => p.title.startsWith(start));
  if (!paper) throw new Error(`no paper titled ${start}`);
  return paper;
}

describe('the seed (a real copy of the HF papers page)', () => {
  const issue = only(parseText(seedText(), { anchorDate: SEED_DATE }));

  it('gives one issue of 79 papers, dated from the header, without warnings', () => {
    expect(issue.date).toBe('2025-10-31');
    expect(issue.papers).toHaveLength(79);
    expect(issue.warnings).toEqual([]);
  });

  it('gives every paper a distinct id and the full field set', () => {
    expect(new Set(issue.papers.map((p) => p.id)).size).toBe(79);
    for (const paper of issue.papers) {
      expect(paper.title).not.toMatch(/\s{2}|^\s|\s$/);
      expect(paper.abstract.length).toBeGreaterThan(100);
      expect(paper.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(String(paper.publishedAt) <= SEED_DATE).toBe(true);
      expect(paper.authorsCount).toBeGreaterThan(0);
      expect(paper.links.paper).toMatch(/^https:\/\/huggingface\.co\/papers\?q=/);
    }
  });

  it.each([
    // title start, authorsCount, publishedAt, code
    ['TaskExpert', 2, '2023-07-28', 'https://github.com/prismformore/Multi-Task-Transformer'],
    [
      'Local Augmentation for Graph Neural Networks',
      9,
      '2021-09-08',
      'https://github.com/SongtaoLiu0823/LAGNN',
    ],
    ['Fourier Contour Embedding', 6, '2021-04-21', null],
  ])('reads the card "%s"', (title, authorsCount, publishedAt, code) => {
    const paper = byTitle(issue, title);
    expect(paper.authorsCount).toBe(authorsCount);
    expect(paper.authors).toEqual([]);
    expect(paper.organization).toBeNull();
    expect(paper.publishedAt).toBe(publishedAt);
    expect(paper.links.code).toBe(code);
    expect(paper.upvotes).toBeNull();
    expect(paper.comments).toBe(0);
  });

  it('resolves year-less card dates to the issue year ("Jan 17" -> 2025-01-17)', () => {
    const yearless = seedText().match(/^(Jan 17|Oct 23)$/gm);
    expect(yearless).not.toBeNull();
    expect(issue.papers.filter((p) => p.publishedAt === '2025-01-17').length).toBeGreaterThan(0);
    expect(issue.papers.filter((p) => p.publishedAt === '2025-10-23').length).toBeGreaterThan(0);
  });

  it('cleans every code link in the seed', () => {
    const codes = issue.papers.map((p) => p.links.code).filter((c): c is string => c !== null);
    expect(codes.length).toBeGreaterThanOrEqual(25);
    for (const code of codes) {
      expect(code).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+/);
      expect(code).not.toMatch(/[.,;:)]$|\.git$|\/$/);
    }
    expect(codes).toContain('https://github.com/altair199797/LowFormer');
    expect(codes).toContain('https://github.com/sunwei925/DN-PIQA');
    expect(codes).toContain('https://github.com/NVlabs/gbrl');
    expect(codes).toContain('https://github.com/weiliu89/caffe/tree/ssd');
  });

  it('leaves no LaTeX residue in abstracts', () => {
    for (const paper of issue.papers) {
      expect(paper.abstract).not.toMatch(/\\[%'`"^~]|~|_\{|\^\{/);
    }
    expect(byTitle(issue, 'Local Augmentation').abstract).toContain('3.4% and 1.6%');
  });

  it('parses the same with CRLF endings, non-breaking spaces and trailing blanks', () => {
    const messy = seedText()
      .split('\n')
      .map((line) => `${line.replace(/ /g, (s, i: number) => (i % 7 === 0 ? '\u00a0' : s))}  \t`)
      .join('\r\n');
    const other = only(parseText(messy, { anchorDate: SEED_DATE }));
    expect(other.warnings).toEqual([]);
    expect(other.papers.map((p) => p.id)).toEqual(issue.papers.map((p) => p.id));
    expect(other.papers.map((p) => p.publishedAt)).toEqual(issue.papers.map((p) => p.publishedAt));
  });

  it('gives the same ids in every run', () => {
    const again = only(parseText(seedText(), { anchorDate: SEED_DATE }));
    expect(again.papers.map((p) => p.id)).toEqual(issue.papers.map((p) => p.id));
  });
});

describe('card variants', () => {
  const issue = only(
    parseText(fixture('hf-papers-search-variants.sample.txt'), { anchorDate: SEED_DATE }),
  );

  it('reads all three variants', () => {
    expect(
      issue.papers.map((p) => [
        p.upvotes,
        p.authorsCount,
        p.organization,
        p.publishedAt,
        p.comments,
      ]),
    ).toEqual([
      [null, 2, null, '2023-07-28', 0],
      [12, 6, null, '2023-03-14', 1],
      [0, null, 'Google', '2025-10-23', 3],
    ]);
    expect(issue.warnings).toEqual([]);
  });

  it('joins a multi-line abstract', () => {
    expect(issue.papers[1]?.abstract).toBe(
      'Illustrative abstract line one. Illustrative abstract line two (abstracts may wrap over several lines).',
    );
  });

  it.each([
    ['1,056', 1056],
    ['7', 7],
    ['-', 0],
  ])('reads the upvote line %s', (upvotes, expected) => {
    const text = `${HEADER}Oct 31\n\n${card({ upvotes, title: 'A Title', abstract: 'An abstract.', date: 'Oct 1' })}`;
    expect(only(parseText(text, { anchorDate: SEED_DATE })).papers[0]?.upvotes).toBe(expected);
  });

  it.each([
    ['Jul 28, 2023', '2023-07-28', 0],
    ['Jan 17', '2025-01-17', 0],
    ['Oct 31', '2025-10-31', 0],
    ['Nov 2', '2024-11-02', 0],
    ['Dec 30 12', '2024-12-30', 12],
    ['Mar 14, 2023 1,204', '2023-03-14', 1204],
  ])(
    'reads the date line "%s" (a year-less date after the issue date is the year before)',
    (line, date, comments) => {
      const text = `Oct 31\n\n${card({ title: 'A Title', abstract: 'An abstract.', date: line })}`;
      const paper = only(parseText(text, { anchorDate: SEED_DATE })).papers[0];
      expect(paper?.publishedAt).toBe(date);
      expect(paper?.comments).toBe(comments);
    },
  );

  it.each([
    ['  • 1 authors', 1, null],
    ['  • 1 author', 1, null],
    ['• 1,200 authors', 1200, null],
    ['Google', null, 'Google'],
    ['Meta AI  • 12 authors', 12, 'Meta AI'],
  ])('reads the byline "%s"', (byline, count, organization) => {
    const text = `Oct 31\n\n${card({ title: 'A Title', abstract: 'An abstract.', byline, date: 'Oct 1' })}`;
    const paper = only(parseText(text, { anchorDate: SEED_DATE })).papers[0];
    expect(paper?.authorsCount).toBe(count);
    expect(paper?.organization).toBe(organization);
  });

  it('keeps titles that start with a quote, hold "&" or " : " or end in "*"', () => {
    const titles = ['"Quoted" Models Work', 'Cats & Dogs : A Study', 'Starred Result*'];
    const text = `Oct 31\n\n${titles.map((title) => card({ title, abstract: 'Text.', date: 'Oct 1' })).join('')}`;
    expect(only(parseText(text, { anchorDate: SEED_DATE })).papers.map((p) => p.title)).toEqual(
      titles,
    );
  });
});

describe('day sections and the issue date', () => {
  const day = (header: string, title: string) =>
    `${HEADER}${header}\n\n${card({ title, abstract: 'Text.', date: 'Jan 2, 2025' })}`;

  it('splits several pasted page copies into one issue per day', () => {
    const issues = parseText(
      day('Oct 31', 'Paper A') + day('Oct 30', 'Paper B') + day('Oct 29', 'Paper C'),
      {
        anchorDate: SEED_DATE,
      },
    );
    expect(issues.map((i) => [i.date, i.papers.map((p) => p.title)])).toEqual([
      ['2025-10-31', ['Paper A']],
      ['2025-10-30', ['Paper B']],
      ['2025-10-29', ['Paper C']],
    ]);
  });

  it('merges two copies of the same day and keeps each paper once', () => {
    const issues = parseText(day('Oct 31', 'Paper A') + day('Oct 31', 'Paper A'), {
      anchorDate: SEED_DATE,
    });
    const issue = only(issues);
    expect(issue.papers).toHaveLength(1);
    expect(issue.warnings).toEqual([
      { line: null, message: expect.stringContaining('appears more than once') },
    ]);
  });

  it('resolves a year-less header to the most recent such day not after today', () => {
    expect(only(parseText(day('Oct 31', 'A'), { today: '2026-11-27' })).date).toBe('2026-10-31');
    expect(only(parseText(day('Dec 31', 'A'), { today: '2026-11-27' })).date).toBe('2025-12-31');
    expect(only(parseText(day('Oct 31, 2024', 'A'), { today: '2026-11-27' })).date).toBe(
      '2024-10-31',
    );
  });

  it('uses --date when the header is missing, and says so', () => {
    const text = card({ title: 'A', abstract: 'Text.', date: 'Jan 2' });
    const issue = only(parseText(text, { anchorDate: SEED_DATE }));
    expect(issue.date).toBe(SEED_DATE);
    expect(issue.papers[0]?.publishedAt).toBe('2025-01-02');
    expect(issue.warnings[0]?.message).toContain('no day header');
  });

  it('falls back to today without a header or --date, and asks for --date', () => {
    const issue = only(
      parseText(card({ title: 'A', abstract: 'Text.', date: 'Jan 2' }), { today: '2026-11-27' }),
    );
    expect(issue.date).toBe('2026-11-27');
    expect(issue.warnings[0]?.message).toMatch(/assuming today.*--date/);
  });

  it('warns when --date and the header disagree on the day', () => {
    const issue = only(parseText(day('Oct 30', 'A'), { anchorDate: SEED_DATE }));
    expect(issue.date).toBe('2025-10-30');
    expect(issue.warnings[0]).toEqual({
      line: 11,
      message: expect.stringContaining('--date only sets the year'),
    });
  });
});

describe('broken cards cost a warning with a line number, not the issue', () => {
  it('skips a card whose date line is missing and keeps its neighbours', () => {
    const text = [
      'Oct 31',
      card({ title: 'Good One', abstract: 'Text.', date: 'Jan 2' }),
      'Broken Card\n\nIts abstract.\n\n  • 2 authors\n·\n\n',
      card({ title: 'Good Two', abstract: 'Text.', date: 'Jan 3' }),
    ].join('\n\n');
    const issue = only(parseText(text, { anchorDate: SEED_DATE }));
    expect(issue.papers.map((p) => p.title)).toEqual(['Good One', 'Good Two']);
    expect(issue.warnings).toHaveLength(1);
    const brokenLine = text.split('\n').indexOf('Broken Card') + 1;
    expect(issue.warnings[0]).toEqual({
      line: brokenLine,
      message: expect.stringContaining('without a date'),
    });
  });

  it('reports an incomplete card at the end of the file', () => {
    const text = `Oct 31\n\n${card({ title: 'Good', abstract: 'Text.', date: 'Jan 2' })}Cut Off Title\n\nhalf an abstract`;
    const issue = only(parseText(text, { anchorDate: SEED_DATE }));
    expect(issue.papers).toHaveLength(1);
    expect(issue.warnings).toEqual([
      {
        line: text.split('\n').indexOf('Cut Off Title') + 1,
        message: expect.stringContaining('incomplete card'),
      },
    ]);
  });

  it('rejects an impossible date and names its line', () => {
    const text = `Oct 31\n\n${card({ title: 'Bad Date', abstract: 'Text.', date: 'Feb 30, 2023' })}`;
    const issue = only(parseText(text, { anchorDate: SEED_DATE }));
    expect(issue.papers).toEqual([]);
    expect(issue.warnings[0]).toEqual({
      line: text.split('\n').indexOf('Feb 30, 2023') + 1,
      message: expect.stringContaining('not a calendar date'),
    });
  });

  it('finds no papers in text that is not a copy of the page', () => {
    const issue = only(parseText('just some notes\nwith no cards\n', { anchorDate: SEED_DATE }));
    expect(issue.papers).toEqual([]);
    expect(issue.warnings.length).toBeGreaterThan(0);
  });
});
