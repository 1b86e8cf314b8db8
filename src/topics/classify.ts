// The topic classifier: pure, rule-based, explainable.
//
// A topic's rules are matched against three fields of a paper, each with its own weight:
//
//   title                          WEIGHTS.title     (3)
//   HF keywords (`ai_keywords`)    WEIGHTS.keywords  (2)
//   abstract + HF summary          WEIGHTS.abstract  (1), +WEIGHTS.repeatBonus (1) when the rule
//                                  matches at least WEIGHTS.repeatAt (2) times there
//
// Every rule (a term, an acronym or a pattern) counts once, with the weight of the best field it
// matches in; a topic's score is the sum over its distinct matching rules, and the topic is assigned
// when the score reaches THRESHOLD (3). So one title match is enough, and so are three distinct
// abstract mentions, or two of which one is repeated; two passing mentions are not (a review that
// lists "pruning" and "model compression" among the uses of hypernetworks is not about efficiency).
// A match inside a longer match of another rule of the same topic does not count separately
// ("recommender" inside "recommender system").
//
// Rule syntax (see `Topic` in ../types.ts):
// - terms: case-insensitive whole words. Inside a term a space or a hyphen matches a space, a hyphen
//   or nothing ("time series" matches "time-series" and "timeseries"); the last word also matches
//   its simple plural ("detector" -> "detectors", "study" -> "studies"). Write terms in the singular.
// - acronyms: case-sensitive whole words, with an optional plural "s" or version suffix
//   ("GNN" matches "GNNs" and "GNN-based" but not "eGNNx" or "gnn"; "YOLO" matches "YOLOv8").
// - patterns: JavaScript regular expression sources, compiled case-insensitively; use \b yourself.
//
// URLs are removed from the text before matching: repository names in links ("mowst-gnn",
// "NAS-Projects") are not evidence of a topic.

import type { Paper, ParsedPaper, Topic } from '../types.js';

export const WEIGHTS = {
  title: 3,
  keywords: 2,
  abstract: 1,
  /** Added to an abstract-only rule that matches at least `repeatAt` times. */
  repeatBonus: 1,
  repeatAt: 2,
} as const;

/** The score from which a topic is assigned. */
export const THRESHOLD = 3;

type RuleKind = 'term' | 'acronym' | 'pattern';

export interface TopicScore {
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

/** A term's words as written: spaces, hyphens and dashes separate them. */
function termWords(term: string): string[] {
  return term
    .trim()
    .split(/[\s\-\u2010-\u2013]+/)
    .filter((word) => word.length > 0);
}

/** The regular expression a term compiles to (global, case-insensitive, Unicode). */
export function termRegExp(term: string): RegExp {
  const words = termWords(term);
  if (words.length === 0) throw new Error('empty term');
  const head = words.slice(0, -1).map(escapeRegExp);
  const last = lastWordPattern(words[words.length - 1] as string);
  return new RegExp(`${WORD_BEFORE}${[...head, last].join(SEPARATOR)}${WORD_AFTER}`, 'giu');
}

/** The regular expression an acronym compiles to (global, case-sensitive, Unicode). */
export function acronymRegExp(acronym: string): RegExp {
  const text = acronym.trim();
  if (text.length === 0) throw new Error('empty acronym');
  return new RegExp(
    `${WORD_BEFORE}${escapeRegExp(text)}(?:s|v?\\d+(?:\\.\\d+)*[a-z]?)?${WORD_AFTER}`,
    'gu',
  );
}

/** Compiles a pattern as the classifier does; throws a SyntaxError when the source is invalid. */
export function patternRegExp(source: string): RegExp {
  return new RegExp(source, 'gi');
}

// What keeps a classification fast. A few hundred rules, each a Unicode regular expression, meet
// every field of every paper: trying them all costs a few hundred `includes` and dozens of
// expressions an abstract. Instead:
// - One pass over a text (`LiteralMatcher`) tells which of all the rules' literals it contains,
//   and a rule only runs on a text that contains the literals every match of it contains
//   (`Requirement`).
// - In an ASCII text, that pass also tells where a term's first word, an acronym or a pattern's
//   first literal starts (`CompiledRule.anchors`): a match can only start there, so the rule is
//   only tried there (`matchSpansAt`), a term by hand (`AsciiTerm`).
// Each of these only ever rules out what the expression could not match: the results are those
// of running every rule's expression on every text.

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * The characters that case-insensitive Unicode matching (a term's /iu) equates with an ASCII
 * character while `toLowerCase` leaves them non-ASCII: "ſ" matches "s", the Kelvin sign "k".
 * No other character does, and without /u none at all (a test checks every code point).
 */
const FOLDS_INTO_ASCII = /[\u017f\u212a]/;

/**
 * The first word of a term, which every match starts with (the plural only changes the end).
 * A text must contain it, lower-cased, for the term to run: this has always been so, and still is
 * for texts with FOLDS_INTO_ASCII characters.
 */
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

/**
 * Literals shorter than this are in nearly every text: requiring one rules little out, and trying
 * a rule wherever one starts costs more than searching the text.
 */
const MIN_LITERAL_LENGTH = 3;

/**
 * The words after the first that every match of a term contains, lower-cased: each as written, the
 * last without its "y" when its plural is "-ies" (see `lastWordPattern`). Only ASCII words: a
 * match of one lower-cases to the word unless the text holds FOLDS_INTO_ASCII characters.
 */
function termLaterWords(term: string): string[] {
  const words = termWords(term);
  const last = words.length - 1;
  return words
    .map((word, index) => (index === last && /[^aeiou]y$/i.test(word) ? word.slice(0, -1) : word))
    .slice(1)
    .filter((word) => isAscii(word) && word.length >= MIN_LITERAL_LENGTH)
    .map((word) => word.toLowerCase());
}

/**
 * Stands for `\b` in the strings a pattern's pieces match: a word boundary (zero-width), which
 * `patternLiterals` turns into a literal's `wordStart`/`wordEnd`. Not ASCII, so no pattern
 * character is read as it (those are ASCII or unknown).
 */
const BOUNDARY = '\uffff';

function isZeroWidth(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text[i] !== BOUNDARY) return false;
  return true;
}

function hasZeroWidth(strings: ReadonlySet<string>): boolean {
  for (const text of strings) if (isZeroWidth(text)) return true;
  return false;
}

/**
 * What a piece of a pattern can match, as lower-cased strings (with BOUNDARY for `\b`), each
 * null when not known: `exact`, every string it can match, when they are few; `anyOf`, strings
 * one of which every match contains; `starts`, strings one of which every match starts with.
 * Only ASCII characters are known: without /u, case-insensitive matching equates an ASCII
 * character with no other than its other case (a test checks every code point), so a match
 * lower-cases to them.
 */
interface Piece {
  exact: ReadonlySet<string> | null;
  anyOf: ReadonlySet<string> | null;
  starts: ReadonlySet<string> | null;
}

/** Beyond this many strings, a set is given up (and combinations with it are not formed). */
const MAX_STRINGS = 32;

const UNKNOWN: Piece = { exact: null, anyOf: null, starts: null };

function exactly(strings: ReadonlySet<string>): Piece {
  if (strings.size > MAX_STRINGS) return UNKNOWN;
  const known = hasZeroWidth(strings) ? null : strings;
  return { exact: strings, anyOf: known, starts: known };
}

/** Zero-width: an assertion other than `\b`, a lookaround, an empty alternative. */
const EMPTY = exactly(new Set(['']));

/** The pieces of single ASCII characters, made once (pieces are never changed). */
const CHAR_PIECES = new Map<string, Piece>();

function literalChar(char: string): Piece {
  if (char.charCodeAt(0) >= 0x80) return UNKNOWN;
  let piece = CHAR_PIECES.get(char);
  if (piece === undefined) {
    piece = exactly(new Set([char.toLowerCase()]));
    CHAR_PIECES.set(char, piece);
  }
  return piece;
}

/** Every string of `left` followed by every string of `right`; null when there would be many. */
function product(left: ReadonlySet<string>, right: ReadonlySet<string>): Set<string> | null {
  if (left.size * right.size > MAX_STRINGS) return null;
  if (left.size === 1 && right.size === 1) {
    const [a] = left;
    const [b] = right;
    return new Set([`${a}${b}`]);
  }
  const strings = new Set<string>();
  for (const a of left) for (const b of right) strings.add(a + b);
  return strings;
}

/** Of sets of strings one of which a match contains, the one whose shortest string is longest. */
function strongest(candidates: readonly ReadonlySet<string>[]): ReadonlySet<string> | null {
  let best: ReadonlySet<string> | null = null;
  let bestLength = 0;
  for (const candidate of candidates) {
    if (candidate.size === 0) continue;
    const lengths = [...candidate].map((text) => text.replaceAll(BOUNDARY, '').length);
    const shortest = Math.min(...lengths);
    if (shortest > bestLength) {
      best = candidate;
      bestLength = shortest;
    }
  }
  return best;
}

/**
 * Consecutive items. Their exact strings are combined while there are few; every run of exact
 * items, and every item's own `anyOf`, is a set one string of which a match contains. A match
 * starts with the first run, or with what the first item after a zero-width run starts with.
 */
function sequence(items: readonly Piece[]): Piece {
  const candidates: ReadonlySet<string>[] = [];
  let starts: ReadonlySet<string> | null = null;
  let first = true;
  let run: ReadonlySet<string> = new Set(['']);
  for (const item of items) {
    const combined = item.exact === null ? null : product(run, item.exact);
    if (combined !== null) {
      run = combined;
      continue;
    }
    if (first) {
      starts = runStarts(run, item);
      first = false;
    }
    if (!hasZeroWidth(run)) candidates.push(run);
    run = item.exact ?? new Set(['']);
    if (item.exact === null && item.anyOf !== null) candidates.push(item.anyOf);
  }
  if (first) return exactly(run);
  if (!hasZeroWidth(run)) candidates.push(run);
  return { exact: null, anyOf: strongest(candidates) ?? starts, starts };
}

/** What a sequence starts with, given its first run of exact items and the item after it. */
function runStarts(run: ReadonlySet<string>, next: Piece): ReadonlySet<string> | null {
  if (!hasZeroWidth(run)) return run;
  if (![...run].every(isZeroWidth) || next.starts === null) return null;
  // Only boundaries before `next`: they go with its starts, if that does not make too many.
  return product(run, next.starts) ?? next.starts;
}

/** The union of some sets, or null when one is null or there would be many strings. */
function union(sets: readonly (ReadonlySet<string> | null)[]): Set<string> | null {
  const strings = new Set<string>();
  for (const set of sets) {
    if (set === null) return null;
    for (const text of set) strings.add(text);
  }
  return strings.size > MAX_STRINGS ? null : strings;
}

/** Alternatives: a match is one of theirs. */
function alternatives(branches: readonly Piece[]): Piece {
  if (branches.length === 1) return branches[0] as Piece;
  const exact = union(branches.map((branch) => branch.exact));
  if (exact !== null) return exactly(exact);
  return {
    exact: null,
    anyOf: union(branches.map((branch) => branch.anyOf)),
    starts: union(branches.map((branch) => branch.starts)),
  };
}

/** An item repeated `min` to `max` times. */
function repeated(item: Piece, min: number, max: number): Piece {
  if (max === 0) return EMPTY;
  if (min === 0) {
    const once = max === 1 && item.exact !== null ? union([item.exact, new Set([''])]) : null;
    return once === null ? UNKNOWN : exactly(once);
  }
  if (min === 1 && max === 1) return item;
  // A match starts with, and contains, a repetition: which strings it makes is not known here.
  return { exact: null, anyOf: item.anyOf, starts: item.starts };
}

/** Thrown on syntax the reader does not follow: the pattern then has no literals, and always runs. */
class UnsupportedSyntax extends Error {}

const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;

/** Printable ASCII characters that are themselves in a pattern (no syntax, no "{" or "}"). */
const PLAIN_CHAR = /^[ !"#%&',\-/0-9:;<=>@A-Z_`a-z~]$/;

/**
 * Reads a pattern source (a valid regular expression without /u) into its `Piece`. It follows
 * the syntax the taxonomy uses and throws UnsupportedSyntax on anything else, rather than guess.
 */
class PatternReader {
  private pos = 0;

  constructor(private readonly source: string) {}

  read(): Piece {
    const piece = this.disjunction();
    if (this.pos !== this.source.length) throw new UnsupportedSyntax();
    return piece;
  }

  private peek(): string | undefined {
    return this.source[this.pos];
  }

  private disjunction(): Piece {
    const branches = [this.alternative()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.alternative());
    }
    return alternatives(branches);
  }

  private alternative(): Piece {
    const items: Piece[] = [];
    for (
      let char = this.peek();
      char !== undefined && char !== '|' && char !== ')';
      char = this.peek()
    ) {
      items.push(this.quantified(this.atom()));
    }
    return sequence(items);
  }

  private atom(): Piece {
    const char = this.peek() as string;
    if (this.quantifierAt(this.pos)) throw new UnsupportedSyntax(); // nothing to repeat
    this.pos++;
    switch (char) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '\\':
        return this.escape();
      case '.':
        return UNKNOWN;
      case '^':
      case '$':
        return EMPTY;
      default:
        return this.literalRun(char);
    }
  }

  /**
   * Plain characters from `first` (just read) on, as one string: read one by one, they would
   * each make a set of strings. A quantifier after the run repeats its last character alone, so
   * that one is left out.
   */
  private literalRun(first: string): Piece {
    if (!PLAIN_CHAR.test(first)) return literalChar(first);
    let end = this.pos;
    while (end < this.source.length && PLAIN_CHAR.test(this.source.charAt(end))) end++;
    if (end > this.pos && this.quantifierAt(end)) end--;
    const run = first + this.source.slice(this.pos, end);
    this.pos = end;
    return exactly(new Set([run.toLowerCase()]));
  }

  private quantifierAt(at: number): boolean {
    const char = this.source.charAt(at);
    return '*+?'.includes(char) || (char === '{' && QUANTIFIER.test(this.source.slice(at)));
  }

  private group(): Piece {
    for (const lookaround of ['?=', '?!', '?<=', '?<!']) {
      if (this.source.startsWith(lookaround, this.pos)) {
        this.pos += lookaround.length;
        this.closeGroup(this.disjunction());
        return EMPTY; // a lookaround is not part of the match
      }
    }
    if (this.source.startsWith('?:', this.pos)) {
      this.pos += 2;
    } else if (this.source.startsWith('?<', this.pos)) {
      const name = /^\?<[A-Za-z_$][\w$]*>/.exec(this.source.slice(this.pos));
      if (name === null) throw new UnsupportedSyntax();
      this.pos += name[0].length;
    } else if (this.peek() === '?') {
      throw new UnsupportedSyntax();
    }
    return this.closeGroup(this.disjunction());
  }

  private closeGroup(piece: Piece): Piece {
    if (this.peek() !== ')') throw new UnsupportedSyntax();
    this.pos++;
    return piece;
  }

  private escape(): Piece {
    const char = this.peek();
    if (char === undefined) throw new UnsupportedSyntax();
    this.pos++;
    if (char === 'b') return exactly(new Set([BOUNDARY]));
    if (char === 'B') return EMPTY;
    if ('dDsSwWtnrvf'.includes(char)) return UNKNOWN;
    const hex = char === 'x' ? 2 : char === 'u' ? 4 : 0;
    if (hex > 0 && /^[0-9a-f]+$/i.test(this.source.slice(this.pos, this.pos + hex))) {
      this.pos += hex;
      return UNKNOWN;
    }
    // Back-references, \c, \k, \p, octal and letters that escape nothing: not followed.
    if (/[a-z0-9]/i.test(char)) throw new UnsupportedSyntax();
    return literalChar(char);
  }

  /** A class of a few known characters is their set; ranges, escapes and negation are unknown. */
  private characterClass(): Piece {
    let known = this.peek() !== '^';
    if (!known) this.pos++;
    const chars = new Set<string>();
    const start = this.pos;
    for (let char = this.peek(); char !== ']'; char = this.peek()) {
      if (char === undefined) throw new UnsupportedSyntax();
      this.pos++;
      if (char === '\\') {
        const escaped = this.peek();
        if (escaped === undefined) throw new UnsupportedSyntax();
        this.pos++;
        if (/[a-z0-9]/i.test(escaped)) known = false;
        else chars.add(escaped);
      } else if (char === '-' && this.pos - 1 > start && this.peek() !== ']') {
        known = false; // a range
      } else {
        chars.add(char);
      }
    }
    this.pos++;
    if (!known || chars.size === 0) return UNKNOWN;
    return alternatives([...chars].map(literalChar));
  }

  /** Applies a quantifier, if one follows, to `item`. */
  private quantified(item: Piece): Piece {
    const char = this.peek();
    let min: number;
    let max: number;
    if (char === '*' || char === '+' || char === '?') {
      this.pos++;
      min = char === '+' ? 1 : 0;
      max = char === '?' ? 1 : Number.POSITIVE_INFINITY;
    } else {
      const bounds = char === '{' ? QUANTIFIER.exec(this.source.slice(this.pos)) : null;
      if (bounds === null) return item;
      this.pos += bounds[0].length;
      min = Number(bounds[1]);
      max =
        bounds[2] === undefined
          ? min
          : bounds[3] === ''
            ? Number.POSITIVE_INFINITY
            : Number(bounds[3]);
    }
    if (this.peek() === '?') this.pos++; // lazy: matches the same strings
    return repeated(item, min, max);
  }
}

/**
 * A string, lower case, that a match of a pattern contains; `wordStart` and `wordEnd` when the
 * pattern has `\b` right before or after it (and it starts or ends with a word character).
 */
export interface PatternLiteral {
  text: string;
  wordStart: boolean;
  wordEnd: boolean;
}

/**
 * What every match of a pattern (compiled by `patternRegExp`) contains: one of `anyOf`; and, if
 * known, one of `starts` at its start. So a text that contains none of `anyOf` (lower-cased, word
 * boundaries as said) cannot match, nor can a position where none of `starts` starts. Null when
 * nothing is known. Never a literal a match could lack: unknown syntax gives null, not a guess.
 */
export function patternLiterals(
  source: string,
): { anyOf: PatternLiteral[]; starts: PatternLiteral[] | null } | null {
  let piece: Piece;
  try {
    piece = new PatternReader(source).read();
  } catch (error) {
    if (error instanceof UnsupportedSyntax) return null;
    throw error;
  }
  if (piece.anyOf === null || hasZeroWidth(piece.anyOf)) return null;
  // A text containing "prune" contains a match's "prune" or "pruned" alike: keep the shorter;
  // a match starting with "pruned" starts with "prune".
  const anyOf = minimal(piece.anyOf, (text, other) => text.includes(other));
  const starts =
    piece.starts === null || hasZeroWidth(piece.starts)
      ? null
      : minimal(piece.starts, (text, other) => text.startsWith(other));
  return { anyOf: anyOf.map(patternLiteral), starts: starts?.map(patternLiteral) ?? null };
}

/** The strings of which no other string is `implied(string, other)`. */
function minimal(
  strings: ReadonlySet<string>,
  implied: (text: string, other: string) => boolean,
): string[] {
  const all = [...strings];
  return all.filter((text) => !all.some((other) => other !== text && implied(text, other)));
}

const WORD_CHAR = /^[a-z0-9_]$/;

/** A string with BOUNDARY in it as a literal: `\b` at its ends says where words start and end. */
function patternLiteral(marked: string): PatternLiteral {
  const text = marked.replaceAll(BOUNDARY, '');
  return {
    text,
    wordStart: marked.startsWith(BOUNDARY) && WORD_CHAR.test(text.charAt(0)),
    wordEnd: marked.endsWith(BOUNDARY) && WORD_CHAR.test(text.charAt(text.length - 1)),
  };
}

/**
 * A string a rule requires a text to contain: `lowerCase` in the text lower-cased, with, when
 * `wordStart`/`wordEnd`, no word character (\w) right before/after it; and, when `asWritten` is not
 * null (an acronym), `asWritten` in the text itself. The matcher checks positions in ASCII texts
 * only: elsewhere it requires `lowerCase` and `asWritten` alone, which is less, so still sound.
 */
interface Literal {
  lowerCase: string;
  wordStart: boolean;
  wordEnd: boolean;
  asWritten: string | null;
}

/** The literals of all the rules, numbered (a literal's id is its index). */
class LiteralTable {
  readonly literals: Literal[] = [];
  private readonly ids = new Map<string, number>();

  id(literal: Literal): number {
    // An acronym's literal is its own; others differ by their text and word checks.
    const { lowerCase, wordStart, wordEnd, asWritten } = literal;
    const key = asWritten !== null ? `w${asWritten}` : `${+wordStart}${+wordEnd}${lowerCase}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.literals.length;
      this.literals.push(literal);
      this.ids.set(key, id);
    }
    return id;
  }

  /** A plain literal: `text` (lower case) in the text lower-cased. */
  plain(text: string): number {
    return this.id({ lowerCase: text, wordStart: false, wordEnd: false, asWritten: null });
  }
}

/** What `scanAscii` does where a literal occurs, besides noting it, as bits of `actions`. */
const CHECK_WRITTEN = 1;
const CHECK_WORD_START = 2;
const CHECK_WORD_END = 4;
const NOTE_STARTS = 8;

/** What `\b` tells apart in a pattern (\w, which without /u is ASCII), by character code. */
const WORD_CODES = asciiClass('\\w');

/**
 * Finds which literals a text contains, in one pass over it (Aho-Corasick): a few hundred
 * `includes` over an abstract cost more than the regular expressions they spare. It says what
 * `text.toLowerCase().includes(lowerCase)` (and `text.includes(asWritten)`, and the word checks
 * in an ASCII text) would.
 *
 * It keeps the answer for the last text scanned: `contains`, and for an ASCII text `starts`.
 */
class LiteralMatcher {
  /**
   * Character codes are mapped to symbols 1..; 0 stands for every character no literal has.
   * "A"-"Z" share the symbols of "a"-"z": that is what lower-casing does to an ASCII text, so an
   * ASCII text is scanned as it is (no literal has an upper-case letter).
   */
  private readonly asciiSymbols = new Int32Array(0x80);
  private readonly otherSymbols = new Map<number, number>();
  private readonly width: number;
  /**
   * The automaton, read for every character: a state's row is `state * width`, and from row `row`
   * on `symbol` it goes to row `next[row + symbol]`, complemented (~) when literals end at that
   * state. State 0 is the start.
   */
  private readonly next: Int32Array;
  /** The ids of the literals that end at `state`: `endIds[endsFrom[state]..endsFrom[state + 1]]`. */
  private readonly endsFrom: Int32Array;
  private readonly endIds: Int32Array;
  private readonly lengths: Int32Array;
  private readonly actions: Uint8Array;
  private readonly asWritten: (string | null)[];
  /** `seenAt[id] === stamp`: the last text scanned contains literal `id`. */
  private readonly seenAt: Uint32Array;
  private stamp = 0;
  /**
   * Where noted literals start in the last text scanned, if that text is ASCII: a list per literal,
   * from `firstAt[id]` on through `nextAt`, of positions `startAt`; `notes` are used.
   */
  private readonly firstAt: Int32Array;
  private readonly lastAt: Int32Array;
  private startAt = new Int32Array(64);
  private nextAt = new Int32Array(64);
  private notes = 0;

  /** `noted`: the literals whose starts `starts` tells. */
  constructor(literals: readonly Literal[], noted: ReadonlySet<number>) {
    this.width = this.assignSymbols(literals);
    const trie = this.trie(literals);
    const { next, order, fallback } = this.link(trie);
    this.next = next;
    [this.endsFrom, this.endIds] = this.outputs(trie.ends, order, fallback);
    this.lengths = Int32Array.from(literals, (literal) => literal.lowerCase.length);
    this.actions = Uint8Array.from(
      literals,
      (literal, id) =>
        (literal.asWritten === null ? 0 : CHECK_WRITTEN) |
        (literal.wordStart ? CHECK_WORD_START : 0) |
        (literal.wordEnd ? CHECK_WORD_END : 0) |
        (noted.has(id) ? NOTE_STARTS : 0),
    );
    this.asWritten = literals.map((literal) => literal.asWritten);
    this.seenAt = new Uint32Array(literals.length);
    this.firstAt = new Int32Array(literals.length);
    this.lastAt = new Int32Array(literals.length);
  }

  private assignSymbols(literals: readonly Literal[]): number {
    let symbols = 1;
    for (const { lowerCase } of literals) {
      for (let i = 0; i < lowerCase.length; i++) {
        const code = lowerCase.charCodeAt(i);
        if (this.symbol(code) !== 0) continue;
        if (code >= 0x80) this.otherSymbols.set(code, symbols++);
        else {
          this.asciiSymbols[code] = symbols;
          if (code >= 0x61 && code <= 0x7a) this.asciiSymbols[code - 0x20] = symbols;
          symbols++;
        }
      }
    }
    return symbols;
  }

  private symbol(code: number): number {
    return code < 0x80 ? (this.asciiSymbols[code] as number) : (this.otherSymbols.get(code) ?? 0);
  }

  /**
   * The trie of the literals: each state's children (a list from `firstChild` through
   * `nextSibling`, each reached on `symbolOf`), and the literals that end at each state. State 0
   * is the start, and no one's child.
   */
  private trie(literals: readonly Literal[]) {
    const { width } = this;
    const most = 1 + literals.reduce((sum, literal) => sum + literal.lowerCase.length, 0);
    const childOn = new Int32Array(most * width);
    const firstChild = new Int32Array(most);
    const nextSibling = new Int32Array(most);
    const symbolOf = new Int32Array(most);
    const ends: number[][] = [];
    let states = 1;
    literals.forEach(({ lowerCase }, id) => {
      let state = 0;
      for (let i = 0; i < lowerCase.length; i++) {
        const symbol = this.symbol(lowerCase.charCodeAt(i));
        let child = childOn[state * width + symbol] as number;
        if (child === 0) {
          child = states++;
          childOn[state * width + symbol] = child;
          symbolOf[child] = symbol;
          nextSibling[child] = firstChild[state] as number;
          firstChild[state] = child;
        }
        state = child;
      }
      ends[state] = [...(ends[state] ?? []), id];
    });
    return { childOn, states, firstChild, nextSibling, symbolOf, ends };
  }

  /**
   * The automaton (`next`), made breadth first, so that a state's fallback (its longest proper
   * suffix that is a trie state, so a shallower one) is done before it: a state goes where its
   * fallback goes, except to its children. With the states in that order, and their fallbacks.
   */
  private link(trie: ReturnType<LiteralMatcher['trie']>) {
    const { width } = this;
    const { childOn, states, firstChild, nextSibling, symbolOf, ends } = trie;
    // Made in the trie's table: a state's row is only read once it is made, from the lists.
    const next = childOn.subarray(0, states * width);
    const fallback = new Int32Array(states);
    const ending = new Uint8Array(states);
    const order = new Int32Array(states); // the start first
    let queued = 1;
    for (let head = 0; head < queued; head++) {
      const state = order[head] as number;
      const from = fallback[state] as number;
      if (state !== 0) next.copyWithin(state * width, from * width, (from + 1) * width);
      for (
        let child = firstChild[state] as number;
        child !== 0;
        child = nextSibling[child] as number
      ) {
        const symbol = symbolOf[child] as number;
        // The start's children fall back to the start, others to where their parent's fallback goes.
        const onFallback = state === 0 ? 0 : rowState(next[from * width + symbol] as number, width);
        fallback[child] = onFallback;
        ending[child] = ends[child] !== undefined || ending[onFallback] === 1 ? 1 : 0;
        next[state * width + symbol] = ending[child] === 1 ? ~(child * width) : child * width;
        order[queued++] = child;
      }
    }
    return { next, order, fallback };
  }

  /**
   * The literals that end at each state, its own then its fallback's (and so on), as
   * `[endsFrom, endIds]`. `order` puts each state's fallback before it.
   */
  private outputs(
    ends: readonly (number[] | undefined)[],
    order: Int32Array,
    fallback: Int32Array,
  ): [Int32Array, Int32Array] {
    const counts = new Int32Array(order.length);
    for (const state of order) {
      if (state === 0) continue;
      const own = ends[state]?.length ?? 0;
      counts[state] = own + (counts[fallback[state] as number] as number);
    }
    const endsFrom = new Int32Array(order.length + 1);
    counts.forEach((count, state) => {
      endsFrom[state + 1] = (endsFrom[state] as number) + count;
    });
    const endIds = new Int32Array(endsFrom[order.length] as number);
    for (const state of order) {
      if (state === 0) continue;
      const own = ends[state] ?? [];
      const at = endsFrom[state] as number;
      endIds.set(own, at);
      const from = fallback[state] as number;
      endIds.copyWithin(at + own.length, endsFrom[from] as number, endsFrom[from + 1] as number);
    }
    return [endsFrom, endIds];
  }

  /** Scans `text`. Returns the ids of the literals it contains, and whether it is ASCII. */
  scan(text: string): { found: number[]; ascii: boolean } {
    this.nextStamp();
    const found: number[] = [];
    if (this.scanAscii(text, found)) return { found, ascii: true };
    this.scanLowerCased(text, found);
    return { found, ascii: false };
  }

  contains(id: number): boolean {
    return this.seenAt[id] === this.stamp;
  }

  /** Where noted literal `id` starts in the last text scanned (an ASCII one), in order. */
  starts(id: number): readonly number[] {
    const starts: number[] = [];
    if (!this.contains(id) || !((this.actions[id] as number) & NOTE_STARTS)) return starts;
    for (let at = this.firstAt[id] as number; at >= 0; at = this.nextAt[at] as number) {
      starts.push(this.startAt[at] as number);
    }
    return starts;
  }

  /** Scans an ASCII text as it is; false at a non-ASCII character. */
  private scanAscii(text: string, found: number[]): boolean {
    const { next, width, asciiSymbols, endsFrom, endIds, actions, seenAt, stamp } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) return false;
      row = next[row + (asciiSymbols[code] as number)] as number;
      if (row >= 0) continue;
      row = ~row;
      const state = row / width;
      const to = endsFrom[state + 1] as number;
      for (let end = endsFrom[state] as number; end < to; end++) {
        const id = endIds[end] as number;
        if (actions[id] !== 0) this.occurs(id, text, i + 1, found);
        else if (seenAt[id] !== stamp) {
          seenAt[id] = stamp;
          found.push(id);
        }
      }
    }
    return true;
  }

  /** Notes literal `id` ending at `end` in an ASCII text, if that occurrence passes its checks. */
  private occurs(id: number, text: string, end: number, found: number[]): void {
    const actions = this.actions[id] as number;
    const start = end - (this.lengths[id] as number);
    if (actions & CHECK_WORD_START && start > 0 && WORD_CODES[text.charCodeAt(start - 1)] === 1) {
      return;
    }
    if (actions & CHECK_WORD_END && end < text.length && WORD_CODES[text.charCodeAt(end)] === 1) {
      return;
    }
    if (actions & CHECK_WRITTEN && !text.startsWith(this.asWritten[id] as string, start)) return;
    const first = this.seenAt[id] !== this.stamp;
    if (first) {
      this.seenAt[id] = this.stamp;
      found.push(id);
    }
    if (actions & NOTE_STARTS) this.note(id, start, first);
  }

  /** Adds `start` to the list of where literal `id` starts; `first`: it is the first. */
  private note(id: number, start: number, first: boolean): void {
    if (this.notes === this.startAt.length) {
      this.startAt = grow(this.startAt);
      this.nextAt = grow(this.nextAt);
    }
    const at = this.notes++;
    this.startAt[at] = start;
    this.nextAt[at] = -1;
    if (first) this.firstAt[id] = at;
    else this.nextAt[this.lastAt[id] as number] = at;
    this.lastAt[id] = at;
  }

  /** Scans a text lower-cased (its positions are not the text's: no `starts`, no word checks). */
  private scanLowerCased(text: string, found: number[]): void {
    const { next, width, asciiSymbols, otherSymbols, endsFrom, endIds, asWritten, seenAt, stamp } =
      this;
    const lower = text.toLowerCase();
    const unverified = new Set<number>();
    let row = 0;
    for (let i = 0; i < lower.length; i++) {
      const code = lower.charCodeAt(i);
      const symbol = code < 0x80 ? (asciiSymbols[code] as number) : (otherSymbols.get(code) ?? 0);
      row = next[row + symbol] as number;
      if (row >= 0) continue;
      row = ~row;
      const state = row / width;
      const to = endsFrom[state + 1] as number;
      for (let end = endsFrom[state] as number; end < to; end++) {
        const id = endIds[end] as number;
        if (seenAt[id] === stamp) continue;
        if (asWritten[id] !== null) unverified.add(id);
        else {
          seenAt[id] = stamp;
          found.push(id);
        }
      }
    }
    for (const id of unverified) {
      if (text.includes(asWritten[id] as string)) {
        seenAt[id] = stamp;
        found.push(id);
      }
    }
  }

  private nextStamp(): void {
    if (this.stamp === 0xffffffff) {
      this.seenAt.fill(0);
      this.stamp = 0;
    }
    this.stamp++;
    this.notes = 0;
  }
}

/** The state an entry of `LiteralMatcher.next` goes to. */
function rowState(entry: number, width: number): number {
  return (entry < 0 ? ~entry : entry) / width;
}

/** A copy of `array` twice as long. */
function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

// In an ASCII text, a term's or an acronym's expression reduces to something simple enough to
// check by hand (a letter is then only itself in either case, \p{L} and \p{N} are [A-Za-z0-9],
// and SEPARATOR's characters are ASCII whitespace and "-"). Where the matcher tells where a match
// can start, checking there by hand costs much less than calling a regular expression.

/** A character class of the expressions, by ASCII character code. */
function asciiClass(source: string): Uint8Array {
  const re = new RegExp(source, 'u');
  return Uint8Array.from({ length: 0x80 }, (_, code) =>
    re.test(String.fromCharCode(code)) ? 1 : 0,
  );
}

/** What WORD_BEFORE and WORD_AFTER rule out, and what SEPARATOR repeats, in an ASCII text. */
const LETTER_OR_DIGIT_CODES = asciiClass('[\\p{L}\\p{N}]');
const SEPARATOR_CODES = asciiClass(SEPARATOR.slice(0, -1));

function lowerCode(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/** Whether an ASCII text, lower-cased, has `part` (lower case) at `at`. */
function hasAt(text: string, at: number, part: string): boolean {
  if (at + part.length > text.length) return false;
  for (let i = 0; i < part.length; i++) {
    if (lowerCode(text.charCodeAt(at + i)) !== part.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether no word goes on at `at` in an ASCII text (WORD_AFTER). */
function endsWord(text: string, at: number): boolean {
  return at === text.length || LETTER_OR_DIGIT_CODES[text.charCodeAt(at)] !== 1;
}

/**
 * `termRegExp` of an ASCII term, for ASCII texts: its words (lower-cased), separated by runs of
 * SEPARATOR, the last one followed by one of `endings`, tried in the expression's order, and the
 * whole not inside a word. A word has no separator in it, so a run of separators is always taken
 * whole, and the expression never backtracks into one.
 */
export interface AsciiTerm {
  /** The last one without its "y" when its plural is "-ies" (see `lastWordPattern`). */
  words: string[];
  endings: string[];
}

export function asciiTerm(term: string): AsciiTerm {
  const words = termWords(term).map((word) => word.toLowerCase());
  const last = words.length - 1;
  const word = words[last] as string;
  if (/[^aeiou]y$/.test(word)) {
    words[last] = word.slice(0, -1);
    return { words, endings: ['y', 'ies'] };
  }
  const plural = pluralSuffix(word);
  return { words, endings: plural === '' ? [''] : plural === 's?' ? ['s', ''] : ['es', ''] };
}

/** Where a match of `term` starting at `start` in an ASCII text ends, or -1 if none starts there. */
function asciiTermEnd(term: AsciiTerm, text: string, start: number): number {
  if (start > 0 && LETTER_OR_DIGIT_CODES[text.charCodeAt(start - 1)] === 1) return -1;
  let at = start;
  for (let index = 0; index < term.words.length; index++) {
    if (index > 0) while (at < text.length && SEPARATOR_CODES[text.charCodeAt(at)] === 1) at++;
    const word = term.words[index] as string;
    if (!hasAt(text, at, word)) return -1;
    at += word.length;
  }
  for (const ending of term.endings) {
    const end = at + ending.length;
    if (hasAt(text, at, ending) && endsWord(text, end)) return end;
  }
  return -1;
}

/**
 * What `matchSpans(termRegExp(term), text)` finds in an ASCII text, for a term whose every match
 * starts at one of `starts` (ascending). A global search from a position finds the first of those
 * starts from which a match ends somewhere; so does this.
 */
export function asciiTermSpans(term: AsciiTerm, text: string, starts: readonly number[]): Span[] {
  const spans: Span[] = [];
  let from = 0;
  for (const start of starts) {
    if (start < from) continue; // inside the last match
    const end = asciiTermEnd(term, text, start);
    if (end < 0) continue;
    spans.push({ start, end, text: text.slice(start, end) });
    from = end;
  }
  return spans;
}

/**
 * Whether a match of an ASCII acronym of `length` characters can start at `start` in an ASCII
 * text (see `acronymRegExp`): not inside a word, and followed by its suffix ("s", "v", a digit) or
 * the end of a word.
 */
function acronymCanStart(text: string, start: number, length: number): boolean {
  if (start > 0 && LETTER_OR_DIGIT_CODES[text.charCodeAt(start - 1)] === 1) return false;
  const after = start + length;
  return endsWord(text, after) || 'sv0123456789'.includes(text.charAt(after));
}

/**
 * Literals of which a text must contain at least one for a rule to match, by id. A rule's
 * requirements are all necessary (not sufficient: its regular expression decides).
 */
interface Requirement {
  anyOf: number[];
  /**
   * Whether the requirement holds only of texts without FOLDS_INTO_ASCII characters: a term's
   * words after the first, which its case-insensitive Unicode regular expression also matches
   * with "ſ" for "s" or the Kelvin sign for "k", and which lower-casing does not turn into them.
   */
  caseFolded: boolean;
}

interface CompiledRule {
  kind: RuleKind;
  /** As written in the topic. */
  source: string;
  /**
   * Its regular expression: a pattern's made at once (its syntax may be wrong), a term's or an
   * acronym's on first use (see `RuleSet.expression`), which in ASCII texts is rare.
   */
  re: RegExp | null;
  /** The rule's topic (its index in the topics), and its position among that topic's rules. */
  topic: number;
  order: number;
  /**
   * What a text must contain for `re` to run on it. The first requirement is never `caseFolded`,
   * and its literals are what makes the rule a candidate; no requirement means `re` always runs.
   */
  requirements: Requirement[];
  /**
   * Literals one of which every match starts with, in an ASCII text (empty: not known): `re` need
   * only be tried where they start, as `sticky` (made on first use) does.
   */
  anchors: number[];
  sticky: RegExp | null;
  /** For an anchored term: its expression in ASCII texts (see `AsciiTerm`), made on first use. */
  asciiTerm: AsciiTerm | null;
}

function compileRule(
  kind: RuleKind,
  source: string,
  topic: number,
  order: number,
  literals: LiteralTable,
): CompiledRule {
  // What making the expression would throw, thrown now: a term or an acronym of no words.
  if (kind === 'term' && termWords(source).length === 0) throw new Error('empty term');
  if (kind === 'acronym' && source.trim().length === 0) throw new Error('empty acronym');
  const re = kind === 'pattern' ? patternRegExp(source) : null;
  const { requirements, anchors } =
    kind === 'term'
      ? termRule(source, literals)
      : kind === 'acronym'
        ? acronymRule(source, literals)
        : patternRule(source, literals);
  // One object shape for every rule (no spreading): the rules are read for every text.
  return { kind, source, re, topic, order, requirements, anchors, sticky: null, asciiTerm: null };
}

/** A term's requirements and anchors (see `CompiledRule`). */
function termRule(term: string, literals: LiteralTable) {
  const probe = termProbe(term);
  if (probe === null) return { requirements: [], anchors: [] };
  const first = literals.plain(probe);
  const words = termLaterWords(term).map((word) => ({
    anyOf: [literals.plain(word)],
    caseFolded: true,
  }));
  // When term and text are ASCII, a match starts with the term's first word (its letters are the
  // term's, in either case), or its stem. A short one, such as "in", starts everywhere.
  const anchored = isAscii(term) && probe.length >= MIN_LITERAL_LENGTH;
  return {
    requirements: [{ anyOf: [first], caseFolded: false }, ...words],
    anchors: anchored ? [first] : [],
  };
}

/** An acronym's requirements and anchors (see `CompiledRule`). */
function acronymRule(source: string, literals: LiteralTable) {
  // A match contains, and starts with, the acronym as written (/u, case-sensitive); the matcher
  // finds it lower-cased, letter by letter, as long as it is ASCII.
  const acronym = source.trim();
  if (!isAscii(acronym)) return { requirements: [], anchors: [] };
  const lowerCase = acronym.toLowerCase();
  const id = literals.id({ lowerCase, wordStart: false, wordEnd: false, asWritten: acronym });
  return { requirements: [{ anyOf: [id], caseFolded: false }], anchors: [id] };
}

/** A pattern's requirements and anchors (see `CompiledRule`), from `patternLiterals`. */
function patternRule(source: string, literals: LiteralTable) {
  const found = patternLiterals(source);
  if (found === null) return { requirements: [], anchors: [] };
  const id = ({ text, wordStart, wordEnd }: PatternLiteral) =>
    literals.id({ lowerCase: text, wordStart, wordEnd, asWritten: null });
  // Starts as short as "a" are everywhere: trying the pattern at each would cost more than a search.
  const starts = found.starts ?? [];
  const anchored = starts.every(({ text }) => text.length >= MIN_LITERAL_LENGTH);
  return {
    requirements: [{ anyOf: found.anyOf.map(id), caseFolded: false }],
    anchors: anchored ? starts.map(id) : [],
  };
}

interface Span {
  start: number;
  end: number;
  text: string;
}

/** The matches of a global expression from `from` on, none of which can start before `from`. */
function matchSpans(re: RegExp, text: string, from = 0): Span[] {
  const spans: Span[] = [];
  re.lastIndex = from;
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
 * What `matchSpans` finds, for an expression whose every match starts at one of `starts`
 * (ascending): it tries `sticky` (the expression, sticky) only there. A global search from a
 * position finds the first of those starts from which the expression matches; so does this.
 */
function matchSpansAt(sticky: RegExp, text: string, starts: readonly number[]): Span[] {
  const spans: Span[] = [];
  let from = 0;
  for (const start of starts) {
    if (start < from) continue; // inside the last match
    sticky.lastIndex = start;
    // `test` spares building a match: a sticky one ends at `lastIndex`.
    if (!sticky.test(text) || sticky.lastIndex === start) continue;
    from = sticky.lastIndex;
    spans.push({ start, end: from, text: text.slice(start, from) });
  }
  sticky.lastIndex = 0;
  return spans;
}

/** A rule's matches in one text. */
interface RuleMatch {
  rule: CompiledRule;
  spans: Span[];
}

/** How many rules require each literal. */
function literalUses(rules: readonly CompiledRule[], count: number): Int32Array {
  const uses = new Int32Array(count);
  const counted = new Int32Array(count).fill(-1); // the last rule that counted a literal
  rules.forEach((rule, index) => {
    for (const { anyOf } of rule.requirements) {
      for (const id of anyOf) {
        if (counted[id] === index) continue;
        counted[id] = index;
        uses[id] = (uses[id] as number) + 1;
      }
    }
  });
  return uses;
}

/**
 * Of a rule's requirements, the one least likely to hold in a text, by a rough guess: the more
 * rules require a literal ("network" more than "neural") and the shorter it is ("two" more than
 * "detector"), the likelier. Its literals make the rule a candidate.
 */
function leastLikely(
  requirements: readonly Requirement[],
  literals: readonly Literal[],
  uses: Int32Array,
): Requirement | undefined {
  const lengthOf = (id: number) => (literals[id] as Literal).lowerCase.length;
  const likelihood = ({ anyOf }: Requirement) =>
    anyOf.reduce((sum, id) => sum + (uses[id] as number) / lengthOf(id) ** 2, 0);
  let best: Requirement | undefined;
  for (const requirement of requirements) {
    if (best === undefined || likelihood(requirement) < likelihood(best)) best = requirement;
  }
  return best;
}

/**
 * Beyond this many places to try a rule at, one search from the first costs less (the result is
 * the same).
 */
const MAX_ANCHORED_TRIES = 12;

/** Every topic's rules, compiled once, with what picks the few worth running on a text. */
class RuleSet {
  private readonly rules: CompiledRule[] = [];
  private readonly literals: LiteralMatcher;
  /**
   * The rules that a literal makes candidates, by literal id: those whose `leastLikely`
   * requirement has it. A text with FOLDS_INTO_ASCII characters, in which the requirements of a
   * term's later words do not hold, makes every rule a candidate.
   */
  private readonly triggered: number[][];
  /** The rules without requirements, which run on every text. */
  private readonly unconditional: number[] = [];
  private readonly everyRule: number[];
  /** `queued[rule] === stamp`: the rule is a candidate for the current text. */
  private readonly queued: Uint32Array;
  private stamp = 0;

  constructor(topics: readonly Topic[]) {
    const literals = new LiteralTable();
    topics.forEach((topic, index) => {
      const sources: [RuleKind, string][] = [
        ...topic.terms.map((source): [RuleKind, string] => ['term', source]),
        ...topic.acronyms.map((source): [RuleKind, string] => ['acronym', source]),
        ...topic.patterns.map((source): [RuleKind, string] => ['pattern', source]),
      ];
      sources.forEach(([kind, source], order) => {
        this.rules.push(compileRule(kind, source, index, order, literals));
      });
    });
    this.literals = new LiteralMatcher(
      literals.literals,
      new Set(this.rules.flatMap((rule) => rule.anchors)),
    );
    this.triggered = literals.literals.map(() => []);
    const uses = literalUses(this.rules, literals.literals.length);
    this.rules.forEach((rule, index) => {
      const trigger = leastLikely(rule.requirements, literals.literals, uses);
      if (trigger === undefined) this.unconditional.push(index);
      else for (const id of trigger.anyOf) (this.triggered[id] as number[]).push(index);
    });
    this.queued = new Uint32Array(this.rules.length);
    this.everyRule = [...this.rules.keys()];
  }

  /** The rules that match `text`, in rule order (so by topic), with their matches. */
  matches(text: string): RuleMatch[] {
    const { found, ascii } = this.literals.scan(text);
    const caseFolds = !ascii && FOLDS_INTO_ASCII.test(text);
    const matches: RuleMatch[] = [];
    for (const index of caseFolds ? this.everyRule : this.candidates(found)) {
      const rule = this.rules[index] as CompiledRule;
      if (!this.satisfies(rule, caseFolds)) continue;
      const spans = this.ruleSpans(rule, text, ascii);
      if (spans.length > 0) matches.push({ rule, spans });
    }
    return matches.sort((a, b) => a.rule.topic - b.rule.topic || a.rule.order - b.rule.order);
  }

  /**
   * A rule's matches in the last text scanned. Where its anchors tell where they can start, it
   * tries there, or, when there are many such places, searches from the first.
   */
  private ruleSpans(rule: CompiledRule, text: string, ascii: boolean): Span[] {
    if (!ascii || rule.anchors.length === 0) return matchSpans(this.expression(rule), text);
    const anchored = this.anchorStarts(rule);
    if (rule.kind === 'term') {
      rule.asciiTerm ??= asciiTerm(rule.source);
      return asciiTermSpans(rule.asciiTerm, text, anchored);
    }
    const length = rule.kind === 'acronym' ? rule.source.trim().length : -1;
    const starts =
      length < 0 ? anchored : anchored.filter((start) => acronymCanStart(text, start, length));
    if (starts.length === 0) return [];
    if (starts.length > MAX_ANCHORED_TRIES) {
      return matchSpans(this.expression(rule), text, starts[0]);
    }
    return matchSpansAt(this.sticky(rule), text, starts);
  }

  /** Where a rule's anchors start in the last text scanned (an ASCII one), in order. */
  private anchorStarts(rule: CompiledRule): readonly number[] {
    if (rule.anchors.length === 1) return this.literals.starts(rule.anchors[0] as number);
    return rule.anchors.flatMap((id) => this.literals.starts(id)).sort((a, b) => a - b);
  }

  /** The rules that the literals found make candidates, and those always are. */
  private candidates(found: readonly number[]): number[] {
    const stamp = this.nextStamp();
    const candidates = this.unconditional.slice();
    for (const id of found) {
      for (const index of this.triggered[id] as number[]) {
        if (this.queued[index] !== stamp) {
          this.queued[index] = stamp;
          candidates.push(index);
        }
      }
    }
    return candidates;
  }

  private satisfies(rule: CompiledRule, caseFolds: boolean): boolean {
    for (const { anyOf, caseFolded } of rule.requirements) {
      if (caseFolded && caseFolds) continue;
      let contained = false;
      for (const id of anyOf) contained ||= this.literals.contains(id);
      if (!contained) return false;
    }
    return true;
  }

  private expression(rule: CompiledRule): RegExp {
    rule.re ??= rule.kind === 'term' ? termRegExp(rule.source) : acronymRegExp(rule.source);
    return rule.re;
  }

  private sticky(rule: CompiledRule): RegExp {
    const re = this.expression(rule);
    rule.sticky ??= new RegExp(re.source, `${re.flags}y`);
    return rule.sticky;
  }

  private nextStamp(): number {
    if (this.stamp === 0xffffffff) {
      this.queued.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

// "https: //github.com/x" and "https://github.com/ x/y" occur in browser copies.
const URL_RE = /\b(?:https?:\s?\/\/|www\.)\S+(?:(?<=\/)\s+[\w.-]+\/\S*)?/gi;
/**
 * The whitespace runs that are not a single space. Replacing them with a space is replacing every
 * run (/\s+/g), without rebuilding the text around each of its hundreds of single spaces.
 */
const WHITESPACE_TO_NORMALIZE = / \s+|[^\S ]\s*/g;

/** Removes URLs and normalizes whitespace so links and line breaks do not affect matching. */
export function normalizeText(text: string): string {
  return text.replace(URL_RE, ' ').replace(WHITESPACE_TO_NORMALIZE, ' ').trim();
}

/**
 * Each rule's matches in one text, minus those inside a longer match of another rule of the same
 * topic (or an identical match of an earlier rule): "image quality" inside "image quality
 * assessment", "recommender" inside "recommender system" are one piece of evidence, not two.
 * `matches` are one topic's, in rule order; rules without matches play no part.
 */
function effectiveSpans(matches: readonly RuleMatch[]): Span[][] {
  if (matches.length === 1) return [(matches[0] as RuleMatch).spans];
  return matches.map(({ spans }, index) =>
    spans.filter(
      (span) =>
        !matches.some((others, other) =>
          other === index
            ? false
            : others.spans.some(
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

/** A rule's evidence: from the strongest field it matches in. */
interface Hit {
  rule: CompiledRule;
  weight: number;
  field: Field;
  /** The rule's first (effective) match there. */
  first: Span;
}

/** Adds a hit for each rule that matches in `text` and has none from a stronger field. */
function addHits(rules: RuleSet, text: string, field: Field, hits: Map<CompiledRule, Hit>): void {
  const matches = rules.matches(text);
  for (let start = 0; start < matches.length; ) {
    const topic = (matches[start] as RuleMatch).rule.topic;
    let end = start + 1;
    while (end < matches.length && (matches[end] as RuleMatch).rule.topic === topic) end++;
    const group = matches.slice(start, end);
    effectiveSpans(group).forEach((spans, index) => {
      const rule = (group[index] as RuleMatch).rule;
      const first = spans[0];
      if (first === undefined || hits.has(rule)) return;
      hits.set(rule, { rule, weight: fieldWeight(field, spans.length), field, first });
    });
    start = end;
  }
}

function fieldWeight(field: Field, matches: number): number {
  if (field === Field.title) return WEIGHTS.title;
  if (field === Field.keywords) return WEIGHTS.keywords;
  return WEIGHTS.abstract + (matches >= WEIGHTS.repeatAt ? WEIGHTS.repeatBonus : 0);
}

/** A topic's score from its rules' hits. */
function topicScore(hits: Hit[]): TopicScore {
  if (hits.length === 0) return { score: 0, matched: [] };
  hits.sort((a, b) => b.weight - a.weight || a.field - b.field || a.rule.order - b.rule.order);
  const seen = new Set<string>();
  const matched: string[] = [];
  let score = 0;
  for (const hit of hits) {
    score += hit.weight;
    // Terms and acronyms are reported as written in the rule; a pattern, whose source would mean
    // nothing to a reader, by the text it matched, as the paper wrote it ("Faster R-CNN").
    const label =
      hit.rule.kind === 'pattern' ? hit.first.text.replace(/\s+/g, ' ') : hit.rule.source;
    const key = label.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      matched.push(label);
    }
  }
  return { score, matched };
}

/**
 * Scores a paper against every topic (for tuning and debugging: no threshold applied).
 * Topics are in the order given.
 */
export function createScorer(
  topics: readonly Topic[],
): (paper: ParsedPaper) => Map<string, TopicScore> {
  const rules = new RuleSet(topics);
  return (paper) => {
    const text = paperText(paper);
    // Every rule counts once, from the strongest field it matches in: fields go strongest first.
    const hits = new Map<CompiledRule, Hit>();
    addHits(rules, text.title, Field.title, hits);
    for (const keyword of text.keywords) addHits(rules, keyword, Field.keywords, hits);
    addHits(rules, text.abstract, Field.abstract, hits);
    const byTopic: Hit[][] = topics.map(() => []);
    for (const hit of hits.values()) (byTopic[hit.rule.topic] as Hit[]).push(hit);
    return new Map(topics.map((topic, index) => [topic.id, topicScore(byTopic[index] as Hit[])]));
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
export function createClassifier(topics: readonly Topic[]): (paper: ParsedPaper) => Paper {
  const score = createScorer(topics);
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
    return withTopics(paper, assigned, matched);
  };
}

/**
 * `{ ...paper, topics, matched }`, which V8 builds slowly (several microseconds a paper) where
 * `Object.assign` is quick. Assigning differs from spreading only for an own "__proto__" key,
 * which assigning would turn into the prototype.
 */
function withTopics(
  paper: ParsedPaper,
  topics: string[],
  matched: Record<string, string[]>,
): Paper {
  if (Object.hasOwn(paper, '__proto__')) return { ...paper, topics, matched };
  return Object.assign({}, paper, { topics, matched });
}

/** Classifies a list of papers with one compilation of the rules. */
export function classifyPapers(papers: readonly ParsedPaper[], topics: readonly Topic[]): Paper[] {
  const classify = createClassifier(topics);
  return papers.map(classify);
}
