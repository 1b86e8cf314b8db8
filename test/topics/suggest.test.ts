import { describe, expect, it } from 'vitest';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';
import { editDistance, suggestClosest } from '../../src/topics/suggest.js';

const ids = defaultTopics.map((topic) => topic.id);

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['graphs', 'graphs', 0],
    ['grpahs', 'graphs', 1],
    ['graph', 'graphs', 1],
    ['grahps', 'graphs', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3],
  ])('%j -> %j = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('suggestClosest among the topic ids', () => {
  it.each([
    ['grpahs', 'graphs'],
    ['graph', 'graphs'],
    ['Graphs', 'graphs'],
    ['LLM', 'llm'],
    ['llms', 'llm'],
    ['vison', 'vision'],
    ['timeseries', 'time-series'],
    ['time_series', 'time-series'],
    ['time series', 'time-series'],
    ['3D', '3d'],
    ['efficient', 'efficiency'],
    ['recsys ', 'recsys'],
    ['agent', 'agents'],
    ['gen', 'generative'],
    ['robot', 'robotics'],
    ['rlhf', 'rl'],
    ['medicine', 'medical'],
    ['dataset', 'datasets'],
    ['quantum', undefined],
    ['xyz', undefined],
    ['', undefined],
  ])('%j -> %j', (input, expected) => {
    expect(suggestClosest(input, ids)).toBe(expected);
  });

  it('returns the candidate as given, and undefined without candidates', () => {
    expect(suggestClosest('fooo', ['Foo'])).toBe('Foo');
    expect(suggestClosest('foo', [])).toBeUndefined();
  });

  it('prefers the earlier candidate on a tie', () => {
    expect(suggestClosest('ab', ['ac', 'ad'])).toBe('ac');
  });
});
