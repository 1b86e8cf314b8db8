// Keyword includes and excludes match like topic terms, on the title, the HF keywords and the
// abstract (with the HF summary), each on its own.
import { describe, expect, it } from 'vitest';
import { createPaperMatcher } from '../../src/plan/match-paper.js';
import { normalizeKeywords } from '../../src/plan/segment-settings.js';
import type { Paper } from '../../src/types.js';
import { makePaper } from '../topics/make-paper.js';

function paper(
  fields: Parameters<typeof makePaper>[0] & { matched?: Record<string, string[]> },
): Paper {
  const matched = fields.matched ?? {};
  return { ...makePaper(fields), topics: Object.keys(matched), matched };
}

const includes = (phrase: string, target: Paper): boolean =>
  createPaperMatcher({
    topics: [],
    keywords: { include: normalizeKeywords([phrase]), exclude: [] },
  })(target) !== null;

describe('a keyword phrase', () => {
  it.each([
    ['in the title', 'state space model', { title: 'A State Space Model for Audio' }, true],
    ['in the abstract', 'state space model', { abstract: 'We build a state space model.' }, true],
    ['in the HF summary', 'state space model', { summary: 'A state space model.' }, true],
    ['in the HF keywords', 'state space model', { keywords: ['State-Space Models'] }, true],
    ['case-insensitive', 'MAMBA', { title: 'Mamba for vision' }, true],
    ['hyphen for space', 'state space', { title: 'State-space layers' }, true],
    ['joined for space', 'time series', { title: 'Timeseries at scale' }, true],
    ['a simple plural', 'hypernetwork', { title: 'Hypernetworks revisited' }, true],
    ['not inside a word', 'gan', { title: 'Organic growth' }, false],
    ['not in a URL', 'mamba', { abstract: 'Code: https://github.com/x/mamba-lab' }, false],
    [
      'not across the title and the abstract',
      'scale attention',
      { title: 'At scale', abstract: 'Attention is all.' },
      false,
    ],
  ])('matches %s', (_name, phrase, fields, expected) => {
    expect(includes(phrase, paper(fields))).toBe(expected);
  });
});

describe('createPaperMatcher', () => {
  const onGraphs = paper({
    title: 'A GNN survey',
    matched: { graphs: ['GNN'], theory: ['generalization'] },
  });
  const untagged = paper({ title: 'Hypernetworks, reviewed' });

  it.each([
    [
      'a topic of the segment',
      { topics: ['graphs', 'rl'] },
      onGraphs,
      { topics: { graphs: ['GNN'] }, keywords: [] },
      1,
    ],
    ['no topic of the segment', { topics: ['rl'] }, onGraphs, null, 0],
    [
      'all: every topic of the paper',
      { topics: 'all' },
      onGraphs,
      { topics: { graphs: ['GNN'], theory: ['generalization'] }, keywords: [] },
      2,
    ],
    ['all: a paper with no topic', { topics: 'all' }, untagged, { topics: {}, keywords: [] }, 0],
    [
      'an include outside the topics',
      { topics: ['rl'], include: ['hypernetwork', 'review'] },
      untagged,
      { topics: {}, keywords: ['hypernetwork'] },
      1,
    ],
    [
      'an include that is also a matched term counts once',
      { topics: ['graphs'], include: ['gnn'] },
      onGraphs,
      { topics: { graphs: ['GNN'] }, keywords: ['gnn'] },
      1,
    ],
    ['an exclude beats the topics', { topics: ['graphs'], exclude: ['survey'] }, onGraphs, null, 0],
    [
      'an exclude beats an include',
      { topics: [], include: ['hypernetwork'], exclude: ['reviewed'] },
      untagged,
      null,
      0,
    ],
    ['an exclude beats all', { topics: 'all', exclude: ['survey'] }, onGraphs, null, 0],
  ] as const)('%s', (_name, settings, target, reasons, strength) => {
    const match = createPaperMatcher({
      topics: settings.topics === 'all' ? 'all' : [...settings.topics],
      keywords: {
        include: 'include' in settings ? [...settings.include] : [],
        exclude: 'exclude' in settings ? [...settings.exclude] : [],
      },
    });
    const result = match(target);
    expect(result?.reasons ?? null).toEqual(reasons);
    if (result) expect(result.strength).toBe(strength);
  });

  it('can be used again and again (global regular expressions are reset)', () => {
    const match = createPaperMatcher({ topics: [], keywords: { include: ['gnn'], exclude: [] } });
    for (let i = 0; i < 3; i++) expect(match(onGraphs)).not.toBeNull();
  });
});
