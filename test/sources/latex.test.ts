import { describe, expect, it } from 'vitest';
import { cleanAbstract, collapseWhitespace } from '../../src/sources/latex.js';

describe('cleanAbstract turns LaTeX residue into what a reader expects', () => {
  it.each([
    ['escaped percent', 'improves by 3.4\\% and 1.6\\%', 'improves by 3.4% and 1.6%'],
    [
      'acute accent',
      "text-region Fr\\'echet inception distance",
      'text-region Fréchet inception distance',
    ],
    ['braced accent', 'G\\"{o}del and Erd\\H{o}s', 'Gödel and Erdős'],
    ['cedilla and caron', 'Fran\\c{c}ois and \\v{S}imon', 'François and Šimon'],
    ['tilde as space', 'Vision Transformer~(PVT), which', 'Vision Transformer (PVT), which'],
    [
      'citation residue',
      'as in Transformer~vaswani2017attention to',
      'as in Transformer vaswani2017attention to',
    ],
    ['braced subscript', 'namely MP_{+}. Our MP_{+} achieves', 'namely MP₊. Our MP₊ achieves'],
    [
      'superscript letter',
      'surpasses MogaNet-B by 1% in AP^b. On',
      'surpasses MogaNet-B by 1% in APᵇ. On',
    ],
    [
      'superscript digit',
      'cross-covariance (MHC^3) to compute',
      'cross-covariance (MHC³) to compute',
    ],
    ['braced exponent', 'a rate of 10^{-4}', 'a rate of 10⁻⁴'],
    [
      'identifiers keep underscores',
      'NetInfoF_Probe and NetInfoF_Act',
      'NetInfoF_Probe and NetInfoF_Act',
    ],
    ['unmappable subscript loses braces only', 'the loss L_{cls} term', 'the loss L_cls term'],
    ['symbols', 'a $\\times$ 2 speed-up, $\\alpha \\leq 1$', 'a × 2 speed-up, α ≤ 1'],
    ['emphasis keeps its text', 'we \\emph{never} and \\textbf{always}', 'we never and always'],
    ['escaped specials', 'R\\&D on \\#1 \\_x', 'R&D on #1 _x'],
    [
      'urls untouched',
      'see https://example.org/~user/a_{b} now',
      'see https://example.org/~user/a_{b} now',
    ],
    ['hard wraps and runs of space', 'one\n  two\t\tthree\u00a0four ', 'one two three four'],
    ['decomposed accent, no LaTeX', 'a nai\u0308ve approach', 'a naïve approach'],
    ['TeX quotes and dashes only', "``quoted'' --- aside", '"quoted" — aside'],
    [
      'residue next to a URL',
      'see https://github.com/a_b/c~d and x~y',
      'see https://github.com/a_b/c~d and x y',
    ],
  ])('%s', (_name, input, expected) => {
    expect(cleanAbstract(input)).toBe(expected);
  });

  it('leaves clean text alone', () => {
    const text = 'Graph Neural Networks (GNNs) have achieved remarkable performance.';
    expect(cleanAbstract(text)).toBe(text);
  });

  it('collapses every kind of whitespace', () => {
    expect(collapseWhitespace(' a\r\n\u00a0b\u2009 c ')).toBe('a b c');
  });

  // collapseWhitespace skips text with nothing to collapse; this pins it to the plain rule.
  it('treats every UTF-16 code unit, alone or next to a space, as one regex over all runs', () => {
    const plain = (text: string) => text.replace(/[\s\u200b]+/g, ' ').trim();
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const text of [`a${c}b`, `a ${c}b`, `a${c} b`, `a${c}${c}b`, `${c}a`]) {
        if (collapseWhitespace(text) !== plain(text)) {
          expect(
            collapseWhitespace(text),
            `U+${code.toString(16)} in ${JSON.stringify(text)}`,
          ).toBe(plain(text));
        }
      }
    }
  });
});
