import { describe, expect, it } from 'vitest';
import {
  acronymRegExp,
  asciiTerm,
  asciiTermSpans,
  classifyPapers,
  createClassifier,
  createScorer,
  normalizeText,
  type PatternLiteral,
  patternLiterals,
  patternRegExp,
  THRESHOLD,
  termRegExp,
  WEIGHTS,
} from '../../src/topics/classify.js';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';
import type { ParsedPaper } from '../../src/types.js';
import { referenceClassifier, referenceScorer } from './classify-reference.js';
import { makePaper, makeTopic } from './make-paper.js';
import { mangle, pick, randomSource, sentence } from './random-text.js';

const matches = (re: RegExp, text: string): boolean => {
  re.lastIndex = 0;
  return re.test(text);
};

describe('terms match case-insensitively as whole words, with spelling variants', () => {
  it.each([
    ['time series', 'Deep models for time series.', true],
    ['time series', 'Deep models for time-series data.', true],
    ['time series', 'TIMESERIES forecasting', true],
    ['time series', 'a time\nseries', true],
    ['time-series', 'time series', true],
    ['multi-modal', 'multimodal models', true],
    ['multi-modal', 'multi-modal models', true],
    ['graph neural network', 'Graph Neural Networks (GNNs)', true],
    ['graph neural network', 'graph neural networks', true],
    ['detector', 'two-stage detectors', true],
    ['bounding box', 'default bounding boxes', true],
    ['study', 'several studies', true],
    ['robotics', 'robotics', true],
    ['video', 'videos and video', true],
    ['mesh', 'triangle meshes', true],
    ['graph', 'graphlets', false],
    ['graph', 'subgraph', false],
    ['RL', 'gnarly', false],
    ['speech', 'speeches', true],
    ['pose estimation', 'pose-estimation', true],
    ['AI-generated image', 'AI-Generated image detection', true],
    ['box AP', '59.4% box AP', true],
  ])('%s in %j: %s', (term, text, expected) => {
    expect(matches(termRegExp(term), text)).toBe(expected);
  });

  it('escapes regular expression syntax in terms', () => {
    expect(matches(termRegExp('C++'), 'written in C++ code')).toBe(true);
    expect(matches(termRegExp('R-CNN'), 'Faster R-CNN')).toBe(true);
    expect(matches(termRegExp('a.b'), 'axb')).toBe(false);
  });
});

describe('acronyms match case-sensitively as whole words', () => {
  it.each([
    ['GNN', 'a GNN model', true],
    ['GNN', 'GNNs are', true],
    ['GNN', "the GNN's power", true],
    ['GNN', 'GNN-based link prediction', true],
    ['GNN', '(GNN)', true],
    ['GNN', 'eGNNx', false],
    ['GNN', 'LAGNN and DiskGNN', false],
    ['GNN', 'gnn', false],
    ['GNN', 'Gnn', false],
    ['CTR', 'CTR prediction', true],
    ['CTR', 'CTRs', true],
    ['CTR', 'the ctr', false],
    ['YOLO', 'YOLOv8 and YOLO11', true],
    ['YOLO', 'YOLOv5s', true],
    ['YOLO', 'DEYOLO', false],
    ['YOLO', 'yolo', false],
    ['3D', '3D point clouds', true],
    ['3D', 'E-3DSNN', false],
    ['3D', 'the 3d scene', false],
    ['R-CNN', 'Faster R-CNN', true],
    ['R-CNN', 'RCNN', false],
    ['C++', 'in C++ code', true],
    ['GPT', 'GPT-4o and GPT4', true],
  ])('%s in %j: %s', (acronym, text, expected) => {
    expect(matches(acronymRegExp(acronym), text)).toBe(expected);
  });
});

describe('normalizeText', () => {
  it.each([
    ['a plain link', 'see https://github.com/facebookresearch/mowst-gnn.', 'see'],
    ['a space after the scheme', 'at https: //github.com/Graph-COM/GNN-Repo now', 'at now'],
    ['a space after the host', 'at https://github.com/ altair199797/LowFormer.', 'at'],
    ['www', 'www.example.com/GNN x', 'x'],
    ['line breaks', 'a\n\nb', 'a b'],
  ])('removes %s', (_name, text, expected) => {
    expect(normalizeText(text)).toBe(expected);
  });
});

const graphs = makeTopic('graphs', {
  terms: ['graph neural network', 'link prediction'],
  acronyms: ['GNN'],
});
const ts = makeTopic('time-series', { terms: ['time series', 'forecasting'] });
const detection = makeTopic('detection', {
  terms: ['object detection'],
  patterns: ['\\bdetect(?:s|ing)? objects?\\b'],
});

describe('scoring', () => {
  const score = createScorer([graphs, ts, detection]);
  const scoreOf = (paper: Parameters<typeof score>[0], id: string) => score(paper).get(id)?.score;

  it.each([
    ['one title match', { title: 'Time Series Foundation Models' }, WEIGHTS.title],
    ['one keyword match', { keywords: ['time series'] }, WEIGHTS.keywords],
    ['one abstract mention', { abstract: 'We also try time series.' }, WEIGHTS.abstract],
    [
      'a repeated abstract mention',
      { abstract: 'Time series are hard. We model time series.' },
      WEIGHTS.abstract + WEIGHTS.repeatBonus,
    ],
    [
      'two distinct abstract terms',
      { abstract: 'Time series forecasting is hard.' },
      2 * WEIGHTS.abstract,
    ],
    [
      'a term in the title and the abstract counts once, as title',
      {
        title: 'Time series',
        abstract: 'time series, time series',
      },
      WEIGHTS.title,
    ],
    ['the HF summary counts as abstract', { summary: 'A time series model.' }, WEIGHTS.abstract],
  ])('%s', (_name, fields, expected) => {
    expect(scoreOf(makePaper(fields), 'time-series')).toBe(expected);
  });

  it('counts a match inside a longer match of the same topic once', () => {
    const topic = makeTopic('recsys', { terms: ['recommender', 'recommender system'] });
    const result = createScorer([topic])(makePaper({ abstract: 'A recommender system.' })).get(
      'recsys',
    );
    expect(result).toEqual({ score: 1, matched: ['recommender system'] });
  });

  it('a title match weighs more than an abstract mention', () => {
    const classify = createClassifier([ts]);
    expect(classify(makePaper({ title: 'A Time-Series Transformer' })).topics).toEqual([
      'time-series',
    ]);
    expect(classify(makePaper({ abstract: 'We also evaluate on time series.' })).topics).toEqual(
      [],
    );
  });

  it('assigns from abstract evidence alone when it is strong enough', () => {
    const classify = createClassifier([graphs]);
    const paper = makePaper({
      title: 'A Study',
      abstract: 'Graph neural networks (GNNs) are popular. Our GNN improves link prediction.',
    });
    expect(classify(paper)).toMatchObject({
      topics: ['graphs'],
      matched: { graphs: ['GNN', 'graph neural network', 'link prediction'] },
    });
  });

  it('the threshold is what the weights say', () => {
    expect(THRESHOLD).toBeGreaterThan(WEIGHTS.abstract + WEIGHTS.repeatBonus);
    expect(THRESHOLD).toBeLessThanOrEqual(WEIGHTS.title);
    expect(THRESHOLD).toBeLessThanOrEqual(3 * WEIGHTS.abstract);
  });
});

describe('createClassifier', () => {
  const classify = createClassifier([graphs, ts, detection]);

  it('returns the paper with no topics when nothing matches', () => {
    const paper = makePaper({ title: 'On Bread', abstract: 'We bake bread.' });
    expect(classify(paper)).toEqual({ ...paper, topics: [], matched: {} });
  });

  it('gives several topics in topic order, with the terms that matched', () => {
    const paper = makePaper({
      title: 'Graph Neural Networks for Time Series Forecasting',
      abstract: 'We detect objects too. GNNs help forecasting.',
    });
    expect(classify(paper)).toMatchObject({
      topics: ['graphs', 'time-series'],
      matched: {
        graphs: ['graph neural network', 'GNN'],
        'time-series': ['time series', 'forecasting'],
      },
    });
  });

  it('reports a pattern by the text it matched, as the paper wrote it', () => {
    const paper = makePaper({ title: 'Detecting Objects in the Dark' });
    expect(classify(paper).matched).toEqual({ detection: ['Detecting Objects'] });
  });

  it('reports a pattern matched twice in different case once', () => {
    const paper = makePaper({
      title: 'Faster R-CNN Revisited for Object Detection',
      abstract: 'We revisit faster r-cnn.',
    });
    const labels = createClassifier(defaultTopics)(paper).matched.detection ?? [];
    expect(labels.filter((label) => label.toLowerCase() === 'faster r-cnn')).toEqual([
      'Faster R-CNN',
    ]);
  });

  it('ignores acronyms in links', () => {
    const paper = makePaper({
      title: 'A Method',
      abstract: 'Code: https://github.com/x/GNN-GNN and https://github.com/y/Topo_LP_GNN.',
    });
    expect(classify(paper).topics).toEqual([]);
  });

  it('does not mutate the input and keeps its fields', () => {
    const paper = makePaper({ title: 'Time series' });
    const copy = structuredClone(paper);
    const result = classify(paper);
    expect(paper).toEqual(copy);
    expect(result.id).toBe(paper.id);
  });

  it('classifyPapers classifies a list', () => {
    const papers = [makePaper({ title: 'GNN' }), makePaper({ title: 'Bread' })];
    expect(classifyPapers(papers, [graphs]).map((p) => p.topics)).toEqual([['graphs'], []]);
  });
});

describe('the default taxonomy, on made-up papers', () => {
  const classify = createClassifier(defaultTopics);
  const topicsOf = (title: string, abstract = '') =>
    classify(makePaper({ title, abstract })).topics;

  it.each([
    ['anomaly detection is not object detection', 'Unsupervised Anomaly Detection in Logs', []],
    [
      'out-of-distribution detection is not object detection',
      'Energy-based Out-of-Distribution Detection',
      [],
    ],
    [
      'scene-text detection is detection',
      'Real-time Scene Text Detection with Differentiable Binarization',
      ['detection', 'vision'],
    ],
    ['YOLO', 'YOLOv10: Real-Time End-to-End Object Detection', ['detection']],
    ['"transformer" alone is not llm', 'Transformers for Tabular Data', []],
    ['"attention" alone is not llm', 'Attention Is Not All You Need for Tables', []],
    ['a language model is llm', 'Scaling Large Language Models', ['llm']],
    [
      'a vision-language model is multimodal, not llm',
      'A Vision-Language Model for Charts',
      ['multimodal'],
    ],
    ['hypergraph diffusion is not a diffusion model', 'Neural Hypergraph Diffusion', ['graphs']],
    ['a diffusion model is generative', 'Faster Sampling for Diffusion Models', ['generative']],
    [
      'a computational graph is not graph learning',
      'Optimizing the Computational Graph of Deep Networks',
      [],
    ],
    [
      'a feature pyramid is not graph learning',
      'Feature Pyramid Networks for Object Detection',
      ['detection'],
    ],
    ['GNN in the title', 'Scalable GNN Training on GPUs', ['graphs']],
    ['CTR prediction', 'Deep Interest Network for CTR Prediction', ['recsys']],
    ['speech', 'Robust Speech Recognition via Large-Scale Weak Supervision', ['audio']],
    ['robotics', 'Learning Dexterous Robotic Manipulation from Demonstrations', ['robotics']],
    ['agents', 'An LLM Agent for Tool Use in Spreadsheets', ['agents', 'llm']],
    ['time series, hyphenated', 'A Foundation Model for Time-Series Forecasting', ['time-series']],
  ])('%s', (_name, title, expected) => {
    expect(topicsOf(title)).toEqual(expected);
  });
});

// Not tuning data: titles of well-known papers outside the seed, which has no LLM, agent, audio,
// robotics or video papers. A title alone reaches the threshold, so these check the vocabulary.
describe('the default taxonomy, on well-known titles', () => {
  const classify = createClassifier(defaultTopics);

  it.each([
    [
      'DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning',
      ['llm', 'rl'],
    ],
    [
      'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
      ['llm', 'rl'],
    ],
    ['Scaling Laws for Neural Language Models', ['llm', 'theory']],
    ['LoRA: Low-Rank Adaptation of Large Language Models', ['llm', 'efficiency']],
    ['QLoRA: Efficient Finetuning of Quantized LLMs', ['llm', 'efficiency']],
    [
      'Universal and Transferable Adversarial Attacks on Aligned Language Models',
      ['llm', 'safety'],
    ],
    ['Attention Is All You Need', []],
    ['SWE-agent: Agent-Computer Interfaces Enable Automated Software Engineering', ['agents']],
    ['WebArena: A Realistic Web Environment for Building Autonomous Agents', ['agents']],
    ['OpenVLA: An Open-Source Vision-Language-Action Model', ['multimodal', 'robotics']],
    [
      'MMMU: A Massive Multi-discipline Multimodal Understanding and Reasoning Benchmark for Expert AGI',
      ['multimodal', 'datasets'],
    ],
    ['SWE-bench: Can Language Models Resolve Real-World GitHub Issues?', ['llm', 'datasets']],
    ['Robust Speech Recognition via Large-Scale Weak Supervision', ['audio']],
    ['MusicGen: Simple and Controllable Music Generation', ['audio']],
    [
      'Stable Video Diffusion: Scaling Latent Video Diffusion Models to Large Datasets',
      ['video', 'generative'],
    ],
    ['Denoising Diffusion Probabilistic Models', ['generative']],
    ['3D Gaussian Splatting for Real-Time Radiance Field Rendering', ['3d']],
    [
      'PointNet: Deep Learning on Point Sets for 3D Classification and Segmentation',
      ['3d', 'vision'],
    ],
    ['Mask R-CNN', ['detection']],
    ['Graph Attention Networks', ['graphs']],
    ['Chronos: Learning the Language of Time Series', ['time-series']],
    ['Deep Interest Network for Click-Through Rate Prediction', ['recsys']],
    ['Highly Accurate Protein Structure Prediction with AlphaFold', ['medical']],
  ])('%s', (title, expected) => {
    expect(classify(makePaper({ title })).topics).toEqual(expected);
  });
});

// The classifier runs a rule's regular expression only where its literals say a match can be
// (see "What keeps a classification fast" in classify.ts). These tests hold it to the results of
// the plain classifier it replaced (./classify-reference.ts), and each shortcut to what it claims.

/** Some odd rules: syntax the pattern reader does not follow, non-ASCII rules, empty matches. */
const oddTopics = [
  makeTopic('odd-terms', {
    terms: [
      'time series',
      'study',
      'C++',
      'a.b',
      'naïve Bayes',
      'café',
      'ſtudy',
      '\u212aernel',
      'x',
    ],
    acronyms: ['GNN', 'C++', 'R-CNN', 'Ünet', '3D', 'CT'],
  }),
  makeTopic('odd-patterns', {
    patterns: [
      'x*',
      '(?:)',
      'fo+',
      '[a-c]bc',
      '\\x41b',
      'gr(a|e)ph',
      '(?=a)',
      'st[^u]dy',
      '(\\w+) \\1',
      'colou?r',
      '\\p{L}x',
      '[\\s-]?net\\b',
      '\\bGNN\\b|\\bgraph(?:s| neural)?\\b',
      '(?<!not )\\bdetect(?:ed|ing)?\\b',
      '\\b[a-z]+-?bench\\b',
      'data{1,2}set',
      'time[\\s-]*series\\B',
    ],
  }),
];

const vocabulary = [...defaultTopics, ...oddTopics].flatMap((topic) => [
  ...topic.terms,
  ...topic.acronyms,
  ...topic.patterns.map((pattern) => pattern.replace(/\\[bB]|[()?:*+|[\]{}^$\\]/g, ' ')),
]);

function randomPapers(seed: number, count: number): ParsedPaper[] {
  const random = randomSource(seed);
  return Array.from({ length: count }, (_, index) => ({
    ...makePaper({
      title: sentence(random, vocabulary, 1 + Math.floor(random() * 10)),
      abstract: sentence(random, vocabulary, Math.floor(random() * 120)),
      summary: random() < 0.5 ? sentence(random, vocabulary, Math.floor(random() * 40)) : null,
      keywords: Array.from({ length: Math.floor(random() * 5) }, () =>
        sentence(random, vocabulary, 1 + Math.floor(random() * 3)),
      ),
    }),
    id: `paper-${index}`,
  }));
}

describe('the classifier gives the results of the plain one it replaced', () => {
  const papers = randomPapers(1, 200);

  it('on made-up papers, with the default taxonomy', () => {
    const classify = createClassifier(defaultTopics);
    const reference = referenceClassifier(defaultTopics);
    for (const paper of papers) {
      expect(JSON.stringify(classify(paper))).toBe(JSON.stringify(reference(paper)));
    }
  });

  it('scores every topic alike, odd rules too', () => {
    const topics = [...defaultTopics, ...oddTopics];
    const score = createScorer(topics);
    const reference = referenceScorer(topics);
    for (const paper of papers) expect([...score(paper)]).toEqual([...reference(paper)]);
  });

  it('on rules found many times in a text, or overlapping', () => {
    const topics = [...defaultTopics, ...oddTopics];
    const phrases =
      'CT scans on graphs, GNNs and Pruning (YOLOv8) of feature complexities; 3D-CT. ';
    const papers = [
      makePaper({ title: 'A Study', abstract: `On Graphs: ${phrases.repeat(20)}` }),
      makePaper({ title: 'A Study', abstract: 'We release a new novel benchmark.' }),
    ];
    for (const paper of papers) {
      expect([...createScorer(topics)(paper)]).toEqual([...referenceScorer(topics)(paper)]);
    }
    expect(createScorer(topics)(papers[0] as ParsedPaper).get('graphs')?.matched).toContain(
      'On Graphs',
    );
  });

  it('keeps an own "__proto__" key of a paper, as spreading it did', () => {
    const paper = { ...makePaper({ title: 'Time series' }), ...JSON.parse('{"__proto__": 1}') };
    const classified = createClassifier(defaultTopics)(paper);
    expect(Object.hasOwn(classified, '__proto__')).toBe(true);
    expect(JSON.stringify(classified)).toBe(
      JSON.stringify(referenceClassifier(defaultTopics)(paper)),
    );
  });

  it('matches terms through case folding ("ſ" for "s", the Kelvin sign for "k")', () => {
    const topic = makeTopic('t', { terms: ['time series', 'knowledge graph'] });
    const paper = makePaper({ abstract: 'Time ſeries. \u212anowledge graphs. Time series.' });
    expect(createScorer([topic])(paper).get('t')).toEqual({
      score: 3,
      matched: ['time series', 'knowledge graph'],
    });
    expect([...createScorer([topic])(paper)]).toEqual([...referenceScorer([topic])(paper)]);
  });
});

describe('case folding, which the shortcuts rely on', () => {
  it('equates only "ſ" and the Kelvin sign with ASCII letters, and only with /u', () => {
    const ascii = `[${String.fromCharCode(0)}-${String.fromCharCode(0x7f)}]`;
    const codes = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i).filter(
        (code) => code < 0xd800 || code > 0xdfff,
      );
    const everyOther = codes(0x80, 0x10ffff)
      .map((code) => String.fromCodePoint(code))
      .join('');
    const folding = [...everyOther.matchAll(new RegExp(ascii, 'giu'))].map((match) =>
      match[0].codePointAt(0),
    );
    expect(folding).toEqual([0x17f, 0x212a]);
    expect(everyOther.match(new RegExp(ascii, 'gi'))).toBeNull();
  });
});

/** Whether `literal` occurs in `text` (lower-cased) within [start, end), with its word checks. */
function occursIn(text: string, start: number, end: number, literal: PatternLiteral): boolean {
  const lower = text.toLowerCase();
  for (
    let at = lower.indexOf(literal.text, start);
    at >= 0;
    at = lower.indexOf(literal.text, at + 1)
  ) {
    const after = at + literal.text.length;
    if (after > end) return false;
    if (literal.wordStart && at > 0 && /\w/.test(text.charAt(at - 1))) continue;
    if (literal.wordEnd && /\w/.test(text.charAt(after))) continue;
    return true;
  }
  return false;
}

describe('patternLiterals never rules out a match', () => {
  // Each with a text it matches: the literals are checked on every match of these texts and of
  // random ones made from the vocabulary.
  const examples: [string, string][] = [
    ['\\bquanti[sz](?:e|ed|es|ing|ation)\\b', 'QUANTISATION and Quantized'],
    ['\\b(?:prune|pruned|pruning|prunes)\\b', 'we PRUNE, it is pruned'],
    ['\\b(?:(?:faster|mask|cascade)[\\s-]?)?r-?cnn\\b', 'Faster R-CNN, rcnn, mask-RCNN'],
    [
      '\\b(?:new|novel|first)\\s+(?:[\\w-]+\\s+){0,2}(?:dataset|benchmark)s?\\b',
      'a New  large benchmarks',
    ],
    ['\\b[a-z0-9]+-?bench\\b', 'SWE-bench and RelBench'],
    ['\\bdataset:', 'Dataset: x'],
    ['(?<!vision[\\s-])(?<!visual[\\s-])\\blanguage models?\\b', 'Language Models'],
    ['colou?r', 'COLOR and colour'],
    ['gr(a|e)ph', 'GREPH'],
    ['st[^u]dy', 'stxdy'],
    ['data{1,2}set', 'DATAASET'],
    ['\\bGNN\\b|\\bgraph(?:s| neural)?\\b', 'gnn, Graph Neural'],
    ['(?<!not )\\bdetect(?:ed|ing)?\\b', 'Detected'],
    ['[\\s-]?net\\b', 'a -NET'],
    ['time[\\s-]*series\\B', 'time-seriesx'],
    ['\\bon graphs\\b', 'On Graphs'],
    ['x*', 'xx'],
  ];
  const random = randomSource(2);
  const texts = Array.from({ length: 300 }, () => sentence(random, vocabulary, 30));
  const patterns = [
    ...new Set([...defaultTopics.flatMap((topic) => topic.patterns), ...examples.map(([p]) => p)]),
  ];

  it.each(patterns)('%s', (source) => {
    const literals = patternLiterals(source);
    const example = examples.find(([pattern]) => pattern === source)?.[1];
    const all = example === undefined ? texts : [example, ...texts];
    if (example !== undefined) expect(patternRegExp(source).test(example)).toBe(true);
    for (const text of all) {
      for (const match of text.matchAll(patternRegExp(source))) {
        if (match[0] === '' || literals === null) continue;
        const start = match.index;
        const end = start + match[0].length;
        const ascii = !/[^\x20-\x7e\t\n]/.test(text);
        if (ascii) {
          expect(literals.anyOf.some((literal) => occursIn(text, start, end, literal))).toBe(true);
          if (literals.starts !== null) {
            const startsHere = (literal: PatternLiteral) =>
              occursIn(text, start, start + literal.text.length, literal) &&
              text.toLowerCase().startsWith(literal.text, start);
            expect(literals.starts.some(startsHere)).toBe(true);
          }
        } else {
          const lower = text.toLowerCase();
          expect(literals.anyOf.some((literal) => lower.includes(literal.text))).toBe(true);
        }
      }
    }
  });

  it('gives up on what it does not follow, and on what any text may match', () => {
    expect(patternLiterals('(\\w+) \\1')).toBeNull();
    expect(patternLiterals('\\p{L}x')).toBeNull();
    expect(patternLiterals('x*')).toBeNull();
    expect(patternLiterals('(?:)')).toBeNull();
    expect(patternLiterals('(?=a)')).toBeNull();
    expect(patternLiterals('a|b*')).toBeNull();
  });

  it('finds what every match contains and starts with', () => {
    const prune = ['prune', 'pruned', 'pruning', 'prunes'].map((text) => ({
      text,
      wordStart: true,
      wordEnd: true,
    }));
    expect(patternLiterals('\\b(?:prune|pruned|pruning|prunes)\\b')).toEqual({
      anyOf: prune,
      starts: prune,
    });
    expect(patternLiterals('\\b(?:new|novel)\\s+benchmark')).toEqual({
      anyOf: [{ text: 'benchmark', wordStart: false, wordEnd: false }],
      starts: [
        { text: 'new', wordStart: true, wordEnd: false },
        { text: 'novel', wordStart: true, wordEnd: false },
      ],
    });
    expect(patternLiterals('\\b[a-z0-9]+-?bench\\b')).toEqual({
      anyOf: [{ text: 'bench', wordStart: false, wordEnd: true }],
      starts: null,
    });
    const colour = patternLiterals('colou?r')?.anyOf.map((literal) => literal.text);
    expect(colour?.sort()).toEqual(['color', 'colour']);
  });
});

describe('asciiTerm matches as termRegExp does in an ASCII text', () => {
  const terms = [
    ...defaultTopics.flatMap((topic) => topic.terms),
    'study',
    'day',
    'box',
    'church',
    'C++',
    'a.b',
    'x',
    'feature complexity',
    '3D point cloud',
  ];
  const random = randomSource(3);

  it.each(terms)('%s', (term) => {
    const ascii = asciiTerm(term);
    for (let i = 0; i < 40; i++) {
      const text = Array.from({ length: 4 }, () =>
        random() < 0.7 ? mangle(random, term) : pick(random, ['the', 'x', '-', 'A1']),
      )
        .join(pick(random, [' ', '', '-', ', ']))
        .replace(/[^\x20-\x7e]/g, ' ');
      const expected = [...text.matchAll(termRegExp(term))].map((m) => [m.index, m[0]]);
      const lower = text.toLowerCase();
      const first = ascii.words[0] as string;
      const starts: number[] = [];
      for (let at = lower.indexOf(first); at >= 0; at = lower.indexOf(first, at + 1)) {
        starts.push(at);
      }
      const found = asciiTermSpans(ascii, text, starts).map((span) => [span.start, span.text]);
      expect(found).toEqual(expected);
    }
  });
});
