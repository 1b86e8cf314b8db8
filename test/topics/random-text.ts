// Deterministic random texts for the classifier's equivalence tests: rule vocabulary mangled the
// ways papers (and browser copies of them) write it.

/** A seeded generator of numbers in [0, 1) (mulberry32). */
export function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const SEPARATORS = [' ', ' ', '-', '', '  ', '\t', '--', ' - ', '\n', '\u2010', '\u2013'];
const ENDINGS = ['', '', 's', 'es', 'y', 'ies', 'x', '1', '_', "'s", '-based', 'v8', '.'];
const NEIGHBOURS = ['', '', '', 'x', '1', '_', '-', '(', 'é'];
const NOISE = [
  'the',
  'we',
  'a',
  'of',
  'and',
  'model',
  'graph',
  'detection',
  'benchmark',
  'new',
  'https://github.com/x/GNN-LLM',
  'www.example.com/RL',
  'https: //a.b/c d/e',
  'ſ',
  '\u212a',
  'İ',
  'Σ',
  'ς',
  'é',
  '(GNN)',
  'GNNs',
  'YOLOv8',
  '3D',
  'e.g.',
  ',',
  ';',
  'dataset:',
];

/** A phrase written as a paper might: in some case, its words joined some way, with an ending. */
export function mangle(random: () => number, phrase: string): string {
  const words = phrase.split(/[\s\-\u2010-\u2013]+/).filter(Boolean);
  const cased = words.map((word) => {
    const roll = random();
    if (roll < 0.2) return word.toUpperCase();
    if (roll < 0.4) return word.toLowerCase();
    if (roll < 0.5) return word.charAt(0).toUpperCase() + word.slice(1);
    return word;
  });
  let text = cased.map((word, i) => (i === 0 ? word : pick(random, SEPARATORS) + word)).join('');
  if (random() < 0.2) text = plural(text);
  else if (random() < 0.5) text += pick(random, ENDINGS);
  if (random() < 0.05) text = text.replace(/s/g, 'ſ');
  if (random() < 0.05) text = text.replace(/k/gi, '\u212a');
  return pick(random, NEIGHBOURS) + text + pick(random, NEIGHBOURS);
}

/** The simple English plural of a phrase's last word: "studies", "boxes", "models". */
function plural(phrase: string): string {
  if (/[^aeiou]y$/i.test(phrase)) return `${phrase.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/i.test(phrase)) return `${phrase}es`;
  return `${phrase}s`;
}

/** Some words of which about a third come from `vocabulary`, mangled. */
export function sentence(random: () => number, vocabulary: readonly string[], words: number) {
  return Array.from({ length: words }, () =>
    random() < 0.35 ? mangle(random, pick(random, vocabulary)) : pick(random, NOISE),
  ).join(pick(random, [' ', ' ', ' ', '\n', '']));
}
