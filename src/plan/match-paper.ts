// Does a paper belong in a segment's selection, and why.
//
// A paper is selected when it has one of the segment's topics (`all`: every paper, including one
// with no topic) or matches a keyword include, and matches no keyword exclude: an exclude wins over
// both. Keywords are matched like topic terms (termRegExp: case-insensitive whole words, a space or
// hyphen inside matching a space, a hyphen or nothing, simple plurals) on the title, the HF keywords
// and the abstract with the HF summary, URLs removed, as the classifier reads them. Each field is
// matched on its own so that a phrase cannot straddle the end of the title and the abstract.
import { normalizeText, termRegExp } from '../topics/classify.js';
import type { Paper, SelectionSettings } from '../types.js';
import type { PaperReasons } from './types.js';

export interface PaperMatch {
  reasons: PaperReasons;
  /** See rank-papers.ts. */
  strength: number;
}

interface Phrase {
  phrase: string;
  re: RegExp;
}

// A plan of a large list builds thousands of matchers from a few dozen distinct phrases and
// papers: compiling a phrase, normalizing a paper's text, or matching a phrase on a paper, once per
// plan instead of once per segment is what keeps planning 100,000 subscribers in seconds. The
// caches hold only what the plan itself holds (papers are weak keys; phrases are the subscribers'
// own few words), and assume what the plan assumes: a paper does not change once classified.
const compiledPhrases = new Map<string, RegExp>();
const searchableTexts = new WeakMap<Paper, string[]>();
const phraseMatches = new WeakMap<Paper, Map<string, boolean>>();

function compile(phrases: readonly string[]): Phrase[] {
  return phrases.map((phrase) => {
    let re = compiledPhrases.get(phrase);
    if (!re) {
      re = termRegExp(phrase);
      compiledPhrases.set(phrase, re);
    }
    return { phrase, re };
  });
}

function matchesAny(re: RegExp, texts: readonly string[]): boolean {
  return texts.some((text) => {
    // termRegExp is global: test() would resume from the previous match without the reset.
    re.lastIndex = 0;
    return re.test(text);
  });
}

function searchable(paper: Paper): string[] {
  const cached = searchableTexts.get(paper);
  if (cached) return cached;
  const abstract = [paper.abstract, paper.summary ?? ''].filter((part) => part.length > 0);
  const texts = [paper.title, ...paper.keywords, abstract.join('\n')].map(normalizeText);
  searchableTexts.set(paper, texts);
  return texts;
}

/** Whether the phrase is in the paper's title, HF keywords or abstract. */
function matches({ phrase, re }: Phrase, paper: Paper): boolean {
  let known = phraseMatches.get(paper);
  if (!known) {
    known = new Map();
    phraseMatches.set(paper, known);
  }
  let found = known.get(phrase);
  if (found === undefined) {
    found = matchesAny(re, searchable(paper));
    known.set(phrase, found);
  }
  return found;
}

/** Compiles the settings' keywords once; the returned function gives null for a paper left out. */
export function createPaperMatcher(
  settings: Pick<SelectionSettings, 'topics' | 'keywords'>,
): (paper: Paper) => PaperMatch | null {
  const include = compile(settings.keywords.include);
  const exclude = compile(settings.keywords.exclude);
  const wanted = settings.topics === 'all' ? null : new Set(settings.topics);
  return (paper) => {
    if (exclude.some((phrase) => matches(phrase, paper))) return null;
    // Most papers are not on a segment's topics: say so before building any reasons.
    const onTopic = wanted === null || paper.topics.some((id) => wanted.has(id));
    if (!onTopic && !include.some((phrase) => matches(phrase, paper))) return null;
    const keywords = include.filter((phrase) => matches(phrase, paper)).map(({ phrase }) => phrase);
    const topics: Record<string, string[]> = {};
    for (const id of paper.topics) {
      if (wanted === null || wanted.has(id)) topics[id] = [...(paper.matched[id] ?? [])];
    }
    if (wanted !== null && Object.keys(topics).length === 0 && keywords.length === 0) return null;
    const phrases = new Set(
      [...Object.values(topics).flat(), ...keywords].map((p) => p.toLowerCase()),
    );
    return { reasons: { topics, keywords }, strength: phrases.size };
  };
}
