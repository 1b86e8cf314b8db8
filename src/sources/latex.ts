// Abstracts copied from arXiv carry LaTeX residue (`3.4\%`, `Fr\'echet`, `Transformer~(PVT)`,
// `MP_{+}`, `AP^b`). Readers expect the characters those commands stand for.

const ACCENTS: Record<string, string> = {
  "'": '\u0301', // acute
  '`': '\u0300', // grave
  '^': '\u0302', // circumflex
  '"': '\u0308', // diaeresis
  '~': '\u0303', // tilde
  '=': '\u0304', // macron
  '.': '\u0307', // dot above
  u: '\u0306', // breve
  v: '\u030C', // caron
  H: '\u030B', // double acute
  c: '\u0327', // cedilla
  k: '\u0328', // ogonek
};

const SYMBOLS: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ε',
  lambda: 'λ',
  mu: 'μ',
  pi: 'π',
  sigma: 'σ',
  tau: 'τ',
  theta: 'θ',
  phi: 'φ',
  omega: 'ω',
  times: '×',
  cdot: '·',
  pm: '±',
  approx: '≈',
  sim: '~',
  leq: '≤',
  le: '≤',
  geq: '≥',
  ge: '≥',
  neq: '≠',
  infty: '∞',
  rightarrow: '→',
  to: '→',
  leftarrow: '←',
  ldots: '…',
  dots: '…',
  cdots: '⋯',
  ell: 'ℓ',
  ss: 'ß',
  o: 'ø',
  O: 'Ø',
  aa: 'å',
  AA: 'Å',
  ae: 'æ',
  AE: 'Æ',
  l: 'ł',
  L: 'Ł',
};

const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '+': '⁺',
  '-': '⁻',
  '=': '⁼',
  '(': '⁽',
  ')': '⁾',
  a: 'ᵃ',
  b: 'ᵇ',
  c: 'ᶜ',
  d: 'ᵈ',
  e: 'ᵉ',
  i: 'ⁱ',
  k: 'ᵏ',
  m: 'ᵐ',
  n: 'ⁿ',
  o: 'ᵒ',
  p: 'ᵖ',
  r: 'ʳ',
  s: 'ˢ',
  t: 'ᵗ',
  x: 'ˣ',
  '*': '*',
};

const SUBSCRIPT: Record<string, string> = {
  '0': '₀',
  '1': '₁',
  '2': '₂',
  '3': '₃',
  '4': '₄',
  '5': '₅',
  '6': '₆',
  '7': '₇',
  '8': '₈',
  '9': '₉',
  '+': '₊',
  '-': '₋',
  '=': '₌',
  '(': '₍',
  ')': '₎',
  a: 'ₐ',
  e: 'ₑ',
  i: 'ᵢ',
  k: 'ₖ',
  n: 'ₙ',
  o: 'ₒ',
  p: 'ₚ',
  r: 'ᵣ',
  s: 'ₛ',
  t: 'ₜ',
  x: 'ₓ',
};

/** Maps every character through `table`, or returns undefined when one has no counterpart. */
function mapAll(text: string, table: Record<string, string>): string | undefined {
  let out = '';
  for (const ch of text) {
    const mapped = table[ch];
    if (mapped === undefined) return undefined;
    out += mapped;
  }
  return out;
}

const URL_PATTERN = /\bhttps?:\/\/\S+/g;

/**
 * Matches anything some replacement in cleanProse acts on. Without a match every replacement
 * would return the text unchanged, so cleanProse skips the dozen passes (prose that only needs
 * NFC, the text around a URL). NEEDS_CLEANING below repeats these characters.
 */
const LATEX_TRIGGER = /[\\$^_~]|``|''|---/;

/** Turns LaTeX residue in one stretch of prose (no URLs) into plain Unicode text. */
function cleanProse(text: string): string {
  if (!LATEX_TRIGGER.test(text)) return text;
  // The command replacements all start at a backslash; most residue is `~`, `$x$` or `AP^b`.
  const unescaped = text.includes('\\') ? cleanCommands(text) : text;
  return (
    unescaped
      // Inline math delimiters around short formulas: $x$ -> x
      .replace(/\$([^$\n]{1,80})\$/g, '$1')
      // Superscripts and subscripts: AP^b, MHC^3, MP_{+}. Only braced or single characters, and
      // only when a Unicode counterpart exists, so identifiers like NetInfoF_Probe stay intact.
      .replace(
        /\^\{([^{}]{1,8})\}|\^([A-Za-z0-9+\-*])(?![A-Za-z0-9])/g,
        (match, braced, single) => {
          return mapAll((braced ?? single) as string, SUPERSCRIPT) ?? match.replace(/[{}]/g, '');
        },
      )
      .replace(/_\{([^{}]{1,8})\}/g, (match, braced: string) => {
        return mapAll(braced, SUBSCRIPT) ?? match.replace(/[{}]/g, '');
      })
      // `~` is LaTeX's non-breaking space (`Transformer~(PVT)`).
      .replace(/~/g, ' ')
      // Doubled quotes and dashes from TeX.
      .replace(/``|''/g, '"')
      .replace(/---/g, '—')
  );
}

/** Backslash commands: accents, font commands, named symbols and escaped specials. */
function cleanCommands(text: string): string {
  return (
    text
      // \'e, \'{e}, \c{c}, \v{s}: letter plus combining mark, composed by NFC below.
      .replace(/\\(['`^"~=.])\s*\{?([A-Za-z])\}?/g, (_m, accent: string, letter: string) => {
        return letter + (ACCENTS[accent] ?? '');
      })
      .replace(/\\([uvHck])\{([A-Za-z])\}/g, (_m, accent: string, letter: string) => {
        return letter + (ACCENTS[accent] ?? '');
      })
      // Font and emphasis commands keep their argument.
      .replace(
        /\\(?:textbf|textit|emph|texttt|textrm|textsc|mathrm|mathbf|mathit|mathcal|mathbb|text|operatorname)\{([^{}]*)\}/g,
        '$1',
      )
      .replace(/\\([A-Za-z]+)\b/g, (match, name: string) => {
        const symbol = SYMBOLS[name];
        return symbol === undefined ? match : symbol;
      })
      // Escaped specials: \% \& \_ \# \$ \{ \}
      .replace(/\\([%&_#${}])/g, '$1')
  );
}

/**
 * What collapseWhitespace rewrites: a run of two or more whitespace characters (JavaScript's \s,
 * which trim() also strips, plus U+200B), or a single one other than a plain space. Leaving the
 * single plain spaces of prose unmatched, rather than replacing each with itself, made this
 * several times faster; it was the costliest step of parsing.
 */
const COLLAPSIBLE = /[\s\u200b]{2,}|[^\S ]|\u200b/g;
/** Whether COLLAPSIBLE matches anywhere; a simpler pattern, so a faster scan of clean text. */
const HAS_COLLAPSIBLE = /[^\S ]|\u200b| {2}/;

/** Collapses runs of whitespace (including hard wraps and non-breaking spaces) to single spaces. */
export function collapseWhitespace(text: string): string {
  const collapsed = HAS_COLLAPSIBLE.test(text) ? text.replace(COLLAPSIBLE, ' ') : text;
  return collapsed.trim();
}

/**
 * Anything the rest of cleanAbstract may change: what LATEX_TRIGGER matches, or a character from
 * U+0300 on, which NFC may compose (below U+0300 there are no combining marks, nothing to compose).
 */
const NEEDS_CLEANING = /[\u0300-\uffff\\$^_~]|``|''|---/;

/** Cleans an abstract: LaTeX residue to Unicode, whitespace collapsed, URLs left untouched. */
export function cleanAbstract(text: string): string {
  const collapsed = collapseWhitespace(text);
  // Most abstracts need nothing more, and one scan costs less than splitting out the URLs,
  // testing each piece for LaTeX and normalizing.
  if (!NEEDS_CLEANING.test(collapsed)) return collapsed;
  let out = '';
  let last = 0;
  for (const match of collapsed.matchAll(URL_PATTERN)) {
    out += cleanProse(collapsed.slice(last, match.index));
    out += match[0];
    last = match.index + match[0].length;
  }
  out += cleanProse(collapsed.slice(last));
  const cleaned = out.normalize('NFC');
  // Collapsing is idempotent: only text that cleaning changed (`~` to a space) needs it again.
  return cleaned === collapsed ? collapsed : collapseWhitespace(cleaned);
}
