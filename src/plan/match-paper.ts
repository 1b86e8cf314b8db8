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

function compile(phrases: readonly string[]): Phrase[] {
  return phrases.map((phrase) => ({ phrase, re: termRegExp(phrase) }));
}

function matchesAny(re: RegExp, texts: readonly string[]): boolean {
  return texts.some((text) => {
    // termRegExp is global: test() would resume from the previous match without the reset.
    re.lastIndex = 0;
    return re.test(text);
  });
}

function searchable(paper: Paper): string[] {
  const abstract = [paper.abstract, paper.summary ?? ''].filter((part) => part.length > 0);
  return [paper.title, ...paper.keywords, abstract.join('\n')].map(normalizeText);
}

/** Compiles the settings' keywords once; the returned function gives null for a paper left out. */
export function createPaperMatcher(
  settings: Pick<SelectionSettings, 'topics' | 'keywords'>,
): (paper: Paper) => PaperMatch | null {
  const include = compile(settings.keywords.include);
  const exclude = compile(settings.keywords.exclude);
  const wanted = settings.topics === 'all' ? null : new Set(settings.topics);
  return (paper) => {
    const texts = include.length + exclude.length > 0 ? searchable(paper) : [];
    if (exclude.some(({ re }) => matchesAny(re, texts))) return null;
    const keywords = include.filter(({ re }) => matchesAny(re, texts)).map(({ phrase }) => phrase);
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
