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

/** Turns LaTeX residue in one stretch of prose (no URLs) into plain Unicode text. */
function cleanProse(text: string): string {
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

/** Collapses runs of whitespace (including hard wraps and non-breaking spaces) to single spaces. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+/g, ' ').trim();
}

/** Cleans an abstract: LaTeX residue to Unicode, whitespace collapsed, URLs left untouched. */
export function cleanAbstract(text: string): string {
  const collapsed = collapseWhitespace(text);
  let out = '';
  let last = 0;
  for (const match of collapsed.matchAll(URL_PATTERN)) {
    out += cleanProse(collapsed.slice(last, match.index));
    out += match[0];
    last = match.index + match[0].length;
  }
  out += cleanProse(collapsed.slice(last));
  return collapseWhitespace(out.normalize('NFC'));
}
