// The classifier as it was before it was made fast (src/topics/classify.ts at the time),
// kept as the reference its results must equal: every rule's regular expression, run on every
// text its probe allows. Only for tests; not to be changed but to follow a change of the rules'
// meaning in the classifier itself.

import type { Paper, ParsedPaper, Topic } from '../../src/types.js';

const WEIGHTS = {
  title: 3,
  keywords: 2,
  abstract: 1,
  /** Added to an abstract-only rule that matches at least `repeatAt` times. */
  repeatBonus: 1,
  repeatAt: 2,
} as const;

/** The score from which a topic is assigned. */
const THRESHOLD = 3;

type RuleKind = 'term' | 'acronym' | 'pattern';

interface CompiledRule {
  kind: RuleKind;
  /** As written in the topic. */
  source: string;
  re: RegExp;
  /**
   * Text that any match must contain (lower case for terms, as written for acronyms), or null.
   * A plain `includes` rules most rules out before their regular expression runs: running (and,
   * the first time, compiling) hundreds of Unicode regular expressions per paper is what a
   * classification costs otherwise.
   */
  probe: string | null;
}

/** The first word of a term, which every match starts with (the plural only changes the end). */
function termProbe(term: string): string | null {
  const words = term
    .trim()
    .toLowerCase()
    .split(/[\s\-\u2010-\u2013]+/)
    .filter(Boolean);
  const first = words[0];
  if (first === undefined) return null;
  // A one-word term "study" also matches "studies": probe for what both share.
  return words.length === 1 && /[^aeiou]y$/.test(first) ? first.slice(0, -1) : first;
}

interface CompiledTopic {
  id: string;
  rules: CompiledRule[];
}

interface TopicScore {
  score: number;
  /** Labels of the matching rules, strongest evidence first (weight, then field, then rule order). */
  matched: string[];
}

const WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const WORD_AFTER = '(?![\\p{L}\\p{N}])';
/** Space, hyphen or the Unicode dashes a browser copy may contain. */
const SEPARATOR = '[\\s\\-\\u2010-\\u2013]*';

/** Escapes the syntax characters; "-" is literal outside a class and must not be escaped with /u. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function pluralSuffix(word: string): string {
  if (!/[a-z]$/i.test(word) || word.length < 2) return '';
  if (/[^aeiou]y$/i.test(word)) return '';
  if (/(?:s|x|z|ch|sh)$/i.test(word)) return '(?:es)?';
  return 's?';
}

function lastWordPattern(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${escapeRegExp(word.slice(0, -1))}(?:y|ies)`;
  return `${escapeRegExp(word)}${pluralSuffix(word)}`;
}

/** The regular expression a term compiles to (global, case-insensitive, Unicode). */
function termRegExp(term: string): RegExp {
  const words = term
    .trim()
    .split(/[\s\-\u2010-\u2013]+/)
    .filter((word) => word.length > 0);
  if (words.length === 0) throw new Error('empty term');
  const head = words.slice(0, -1).map(escapeRegExp);
  const last = lastWordPattern(words[words.length - 1] as string);
  return new RegExp(`${WORD_BEFORE}${[...head, last].join(SEPARATOR)}${WORD_AFTER}`, 'giu');
}

/** The regular expression an acronym compiles to (global, case-sensitive, Unicode). */
function acronymRegExp(acronym: string): RegExp {
  const text = acronym.trim();
  if (text.length === 0) throw new Error('empty acronym');
  return new RegExp(
    `${WORD_BEFORE}${escapeRegExp(text)}(?:s|v?\\d+(?:\\.\\d+)*[a-z]?)?${WORD_AFTER}`,
    'gu',
  );
}

/** Compiles a pattern as the classifier does; throws a SyntaxError when the source is invalid. */
function patternRegExp(source: string): RegExp {
  return new RegExp(source, 'gi');
}

function compileTopic(topic: Topic): CompiledTopic {
  const rules: CompiledRule[] = [
    ...topic.terms.map((source) => ({
      kind: 'term' as const,
      source,
      re: termRegExp(source),
      probe: termProbe(source),
    })),
    ...topic.acronyms.map((source) => ({
      kind: 'acronym' as const,
      source,
      re: acronymRegExp(source),
      probe: source.trim(),
    })),
    ...topic.patterns.map((source) => ({
      kind: 'pattern' as const,
      source,
      re: patternRegExp(source),
      probe: null,
    })),
  ];
  return { id: topic.id, rules };
}

// "https: //github.com/x" and "https://github.com/ x/y" occur in browser copies.
const URL_RE = /\b(?:https?:\s?\/\/|www\.)\S+(?:(?<=\/)\s+[\w.-]+\/\S*)?/gi;

/** Removes URLs and normalizes whitespace so links and line breaks do not affect matching. */
function normalizeText(text: string): string {
  return text.replace(URL_RE, ' ').replace(/\s+/g, ' ').trim();
}

interface Span {
  start: number;
  end: number;
  text: string;
}

function matchSpans(re: RegExp, text: string): Span[] {
  const spans: Span[] = [];
  re.lastIndex = 0;
  for (let match = re.exec(text); match !== null; match = re.exec(text)) {
    // A pattern that can match the empty string must not loop forever (nor count).
    if (match[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    spans.push({ start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  re.lastIndex = 0;
  return spans;
}

/**
 * Each rule's matches in one text, minus those inside a longer match of another rule of the same
 * topic (or an identical match of an earlier rule): "image quality" inside "image quality
 * assessment", "recommender" inside "recommender system" are one piece of evidence, not two.
 */
function effectiveSpans(rules: readonly CompiledRule[], text: string): Span[][] {
  const lower = text.toLowerCase();
  const all = rules.map((rule) => {
    const haystack = rule.kind === 'acronym' ? text : lower;
    return rule.probe === null || haystack.includes(rule.probe) ? matchSpans(rule.re, text) : [];
  });
  return all.map((spans, index) =>
    spans.filter(
      (span) =>
        !all.some((others, other) =>
          other === index
            ? false
            : others.some(
                (o) =>
                  o.start <= span.start &&
                  o.end >= span.end &&
                  (o.end - o.start > span.end - span.start || other < index),
              ),
        ),
    ),
  );
}

interface PaperText {
  title: string;
  keywords: string[];
  abstract: string;
}

function paperText(paper: ParsedPaper): PaperText {
  const abstract = [paper.abstract, paper.summary ?? ''].filter((part) => part.length > 0);
  return {
    title: normalizeText(paper.title),
    keywords: paper.keywords.map(normalizeText),
    abstract: normalizeText(abstract.join('\n')),
  };
}

/** Field ranks, strongest first: matched terms are reported in this order. */
const Field = { title: 0, keywords: 1, abstract: 2 } as const;
type Field = (typeof Field)[keyof typeof Field];

function scoreTopic(topic: CompiledTopic, text: PaperText): TopicScore {
  const inTitle = effectiveSpans(topic.rules, text.title);
  const inKeywords = text.keywords.map((keyword) => effectiveSpans(topic.rules, keyword));
  const inAbstract = effectiveSpans(topic.rules, text.abstract);
  const hits: { label: string; weight: number; field: Field; order: number }[] = [];
  topic.rules.forEach((rule, order) => {
    let hit: { first: Span; weight: number; field: Field } | null = null;
    const title = inTitle[order] ?? [];
    const keyword = inKeywords.map((spans) => spans[order] ?? []).find((s) => s.length > 0);
    const abstract = inAbstract[order] ?? [];
    if (title[0]) {
      hit = { first: title[0], weight: WEIGHTS.title, field: Field.title };
    } else if (keyword?.[0]) {
      hit = { first: keyword[0], weight: WEIGHTS.keywords, field: Field.keywords };
    } else if (abstract[0]) {
      const bonus = abstract.length >= WEIGHTS.repeatAt ? WEIGHTS.repeatBonus : 0;
      hit = { first: abstract[0], weight: WEIGHTS.abstract + bonus, field: Field.abstract };
    }
    if (hit === null) return;
    // Terms and acronyms are reported as written in the rule; a pattern, whose source would mean
    // nothing to a reader, by the text it matched, as the paper wrote it ("Faster R-CNN").
    const label = rule.kind === 'pattern' ? hit.first.text.replace(/\s+/g, ' ') : rule.source;
    hits.push({ label, weight: hit.weight, field: hit.field, order });
  });
  hits.sort((a, b) => b.weight - a.weight || a.field - b.field || a.order - b.order);
  const seen = new Set<string>();
  const matched = hits
    .map((hit) => hit.label)
    .filter((label) => !seen.has(label.toLowerCase()) && seen.add(label.toLowerCase()));
  return { score: hits.reduce((sum, hit) => sum + hit.weight, 0), matched };
}

/**
 * Scores a paper against every topic (for tuning and debugging: no threshold applied).
 * Topics are in the order given.
 */
export function referenceScorer(
  topics: readonly Topic[],
): (paper: ParsedPaper) => Map<string, TopicScore> {
  const compiled = topics.map(compileTopic);
  return (paper) => {
    const text = paperText(paper);
    return new Map(compiled.map((topic) => [topic.id, scoreTopic(topic, text)]));
  };
}

/**
 * Compiles the topics' rules once and returns a function that classifies one paper.
 *
 * `topics` lists the assigned ids in taxonomy order, which puts specific topics before generic
 * ones ("detection" before "vision", "graphs" before "efficiency", "datasets" last). Score order
 * was considered and rejected: a score mostly counts how many synonyms an abstract happens to use,
 * so it would reorder a paper's topics from one paper to the next for no reason a reader could
 * see; the taxonomy order is stable and is what "most specific first" means.
 */
export function referenceClassifier(topics: readonly Topic[]): (paper: ParsedPaper) => Paper {
  const score = referenceScorer(topics);
  return (paper) => {
    const scores = score(paper);
    const assigned: string[] = [];
    const matched: Record<string, string[]> = {};
    for (const [id, result] of scores) {
      if (result.score >= THRESHOLD) {
        assigned.push(id);
        matched[id] = result.matched;
      }
    }
    return { ...paper, topics: assigned, matched };
  };
}
