import { describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import { createClassifier, patternRegExp } from '../../src/topics/classify.js';
import { defaultTopics, GENERIC_TOPIC_IDS } from '../../src/topics/default-taxonomy.js';
import {
  assertKnownTopicIds,
  resolveTopics,
  type TopicsConfig,
} from '../../src/topics/resolve-topics.js';
import { makePaper } from './make-paper.js';

const CONTRACT_IDS = [
  'llm',
  'agents',
  'multimodal',
  'vision',
  'detection',
  'generative',
  '3d',
  'video',
  'graphs',
  'time-series',
  'recsys',
  'rl',
  'robotics',
  'audio',
  'efficiency',
  'theory',
  'safety',
  'medical',
  'datasets',
];

/** Runs `fn` and returns the PaperboyError it throws. */
function configError(fn: () => unknown): PaperboyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PaperboyError);
    expect((error as PaperboyError).kind).toBe('config');
    return error as PaperboyError;
  }
  throw new Error('expected a PaperboyError');
}

describe('the default taxonomy', () => {
  it('has exactly the contract ids, once each', () => {
    expect(defaultTopics.map((topic) => topic.id).sort()).toEqual([...CONTRACT_IDS].sort());
  });

  it('lists specific topics before generic ones', () => {
    const ids = defaultTopics.map((topic) => topic.id);
    const isBefore = (a: string, b: string) =>
      expect(ids.indexOf(a), `${a} before ${b}`).toBeLessThan(ids.indexOf(b));
    isBefore('agents', 'llm');
    isBefore('multimodal', 'llm');
    isBefore('detection', 'vision');
    isBefore('3d', 'vision');
    isBefore('video', 'vision');
    expect(ids.slice(-GENERIC_TOPIC_IDS.length)).toEqual([...GENERIC_TOPIC_IDS]);
  });

  it.each(defaultTopics.map((topic) => [topic.id, topic] as const))(
    '%s is well formed',
    (_id, topic) => {
      expect(topic.name.length).toBeGreaterThan(0);
      expect(topic.description).toMatch(/^\S.*\S$/);
      expect(topic.description).not.toContain('\n');
      expect(topic.description.length).toBeLessThanOrEqual(100);
      expect(topic.terms.length + topic.acronyms.length + topic.patterns.length).toBeGreaterThan(0);
      for (const pattern of topic.patterns) expect(() => patternRegExp(pattern)).not.toThrow();
      for (const list of [topic.terms, topic.acronyms, topic.patterns]) {
        expect(new Set(list).size).toBe(list.length);
      }
    },
  );
});

describe('resolveTopics', () => {
  it('returns a copy of the defaults without config', () => {
    const topics = resolveTopics(undefined);
    expect(topics).toEqual(defaultTopics);
    topics[0]?.terms.push('changed');
    expect(defaultTopics[0]?.terms).not.toContain('changed');
    expect(resolveTopics({})).toEqual(defaultTopics);
  });

  it('extends an existing topic and overrides its name and description', () => {
    const topics = resolveTopics({
      graphs: {
        name: 'Graphs',
        description: 'All things graphs.',
        terms: ['graph foundation model', 'link prediction'],
        acronyms: ['GFM'],
      },
    });
    const graphs = topics.find((topic) => topic.id === 'graphs');
    const original = defaultTopics.find((topic) => topic.id === 'graphs');
    expect(graphs?.name).toBe('Graphs');
    expect(graphs?.description).toBe('All things graphs.');
    expect(graphs?.terms).toEqual([...(original?.terms ?? []), 'graph foundation model']);
    expect(graphs?.acronyms).toEqual([...(original?.acronyms ?? []), 'GFM']);
    expect(graphs?.patterns).toEqual(original?.patterns);
    expect(topics.map((topic) => topic.id)).toEqual(defaultTopics.map((topic) => topic.id));
  });

  it('replaces the rules of an existing topic with replace: true', () => {
    const topics = resolveTopics({ llm: { terms: ['language model'], replace: true } });
    expect(topics.find((topic) => topic.id === 'llm')).toMatchObject({
      name: 'Language models & NLP',
      terms: ['language model'],
      acronyms: [],
      patterns: [],
    });
  });

  it('adds a new topic before the generic ones, in config order', () => {
    const topics = resolveTopics({
      quantum: { name: 'Quantum ML', terms: ['quantum'] },
      'climate-2': {
        name: 'Climate',
        description: 'Weather and climate.',
        patterns: ['\\bclimate\\b'],
      },
    });
    const ids = topics.map((topic) => topic.id);
    const first = ids.indexOf(GENERIC_TOPIC_IDS[0] as string);
    expect(ids.slice(first - 2, first)).toEqual(['quantum', 'climate-2']);
    expect(topics.find((topic) => topic.id === 'quantum')).toEqual({
      id: 'quantum',
      name: 'Quantum ML',
      description: 'Quantum ML',
      terms: ['quantum'],
      acronyms: [],
      patterns: [],
    });
  });

  it('feeds the classifier', () => {
    const topics = resolveTopics({
      quantum: { name: 'Quantum ML', terms: ['quantum circuit'], acronyms: ['QML'] },
    });
    const paper = makePaper({ title: 'Quantum Circuits for Graph Neural Networks' });
    expect(createClassifier(topics)(paper).topics).toEqual(['graphs', 'quantum']);
  });

  it.each([
    [
      'a new id without a name',
      { quantum: { terms: ['quantum'] } },
      'cfg.yml: topics.quantum: a new topic needs a name',
    ],
    [
      'a new id without rules',
      { quantum: { name: 'Quantum' } },
      'cfg.yml: topics.quantum: a new topic needs at least one rule',
    ],
    [
      'an invalid id',
      { 'Quantum ML': { name: 'Q', terms: ['q'] } },
      'cfg.yml: topics.Quantum ML: invalid topic id',
    ],
    [
      'an id starting with "-"',
      { '-x': { name: 'X', terms: ['x'] } },
      'cfg.yml: topics.-x: invalid topic id',
    ],
    [
      'replace leaving no rules',
      { llm: { replace: true } },
      'cfg.yml: topics.llm: replace: true leaves the topic without rules',
    ],
    ['an unknown key', { graphs: { term: ['x'] } }, 'cfg.yml: topics.graphs: unknown key "term"'],
    [
      'a list that is not a list',
      { graphs: { terms: 'x' } },
      'cfg.yml: topics.graphs.terms: expected a list of strings',
    ],
    [
      'an empty term',
      { graphs: { terms: ['ok', ' '] } },
      'cfg.yml: topics.graphs.terms[1]: expected a non-empty string',
    ],
    [
      'a non-string name',
      { graphs: { name: 3 } },
      'cfg.yml: topics.graphs.name: expected a non-empty string',
    ],
    [
      'a non-boolean replace',
      { graphs: { replace: 'yes' } },
      'cfg.yml: topics.graphs.replace: expected true or false',
    ],
    [
      'a topic that is not an object',
      { graphs: ['GNN'] },
      'cfg.yml: topics.graphs: expected an object',
    ],
  ])('rejects %s', (_name, config, message) => {
    const error = configError(() => resolveTopics(config as unknown as TopicsConfig, 'cfg.yml'));
    expect(error.message).toContain(message);
  });

  it('names the topic and the pattern of an invalid regular expression', () => {
    const error = configError(() =>
      resolveTopics({ vision: { patterns: ['\\bok\\b', '(unclosed'] } }, 'cfg.yml'),
    );
    expect(error.message).toMatch(
      /^cfg\.yml: topics\.vision\.patterns: invalid regular expression "\(unclosed": /,
    );
  });

  it('suggests the id that was probably meant', () => {
    const error = configError(() => resolveTopics({ grpahs: { terms: ['x'] } }, 'cfg.yml'));
    expect(error.message).toBe('cfg.yml: topics.grpahs: a new topic needs a name');
    expect(error.hint).toMatch(/^did you mean "graphs"\?/);
    expect(
      configError(() => resolveTopics({ graphs: { term: ['x'] } } as unknown as TopicsConfig)).hint,
    ).toBe('did you mean "terms"?');
  });

  it('defaults the source to "config"', () => {
    expect(configError(() => resolveTopics({ quantum: {} })).message).toMatch(
      /^config: topics\.quantum: /,
    );
  });
});

describe('assertKnownTopicIds', () => {
  const topics = resolveTopics(undefined);

  it('accepts known ids', () => {
    expect(() => assertKnownTopicIds(['graphs', 'llm'], topics, '--topic')).not.toThrow();
    expect(() => assertKnownTopicIds([], topics, '--topic')).not.toThrow();
  });

  it('rejects an unknown id with a suggestion and the known ids', () => {
    const error = configError(() =>
      assertKnownTopicIds(['graphs', 'grpahs'], topics, 'subscribers.json'),
    );
    expect(error.message).toBe('unknown topic "grpahs" in subscribers.json');
    expect(error.hint).toBe(
      `did you mean "graphs"? Known topics: ${topics.map((t) => t.id).join(', ')}`,
    );
    expect(error.exitCode).toBe(5);
  });

  it('lists the known ids when nothing is close', () => {
    const error = configError(() => assertKnownTopicIds(['quantum'], topics, '--topic'));
    expect(error.hint).toBe(`Known topics: ${topics.map((t) => t.id).join(', ')}`);
  });

  it('names every unknown id at once', () => {
    const error = configError(() =>
      assertKnownTopicIds(['vison', 'quantum', 'vison'], topics, '--topic'),
    );
    expect(error.message).toBe('unknown topics "vison", "quantum" in --topic');
    expect(error.hint).toMatch(/^did you mean "vision" for "vison"\? Known topics: /);
  });

  it('knows topics added by config', () => {
    const withQuantum = resolveTopics({ quantum: { name: 'Quantum', terms: ['quantum'] } });
    expect(() => assertKnownTopicIds(['quantum'], withQuantum, '--topic')).not.toThrow();
  });
});
