import { describe, expect, it } from 'vitest';
import { shortenAbstract, splitSentences, truncateWords } from '../../src/render/shorten.js';

describe('splitSentences keeps abbreviations and numbers inside sentences', () => {
  it.each([
    ['One. Two. Three.', ['One.', 'Two.', 'Three.']],
    ['Models (e.g. GCN and GAT) work. They do.', ['Models (e.g. GCN and GAT) work.', 'They do.']],
    ['Smith et al. Show this. Then more.', ['Smith et al. Show this.', 'Then more.']],
    ['It improves by 3.4% on Cora. Also 1.6%.', ['It improves by 3.4% on Cora.', 'Also 1.6%.']],
    ['Is it? Yes! "Quoted" start.', ['Is it?', 'Yes!', '"Quoted" start.']],
    ['See Fig. 3 for details. Done.', ['See Fig. 3 for details.', 'Done.']],
    ['no final period', ['no final period']],
  ])('%j', (text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });
});

describe('shortenAbstract', () => {
  it('keeps two sentences and says it cut', () => {
    expect(shortenAbstract('One. Two. Three.')).toEqual({ text: 'One. Two.', cut: true });
    expect(shortenAbstract('One. Two.')).toEqual({ text: 'One. Two.', cut: false });
  });

  it('cuts very long sentences at a word, with an ellipsis', () => {
    const long = `${'word '.repeat(200)}end.`;
    const { text, cut } = shortenAbstract(long, 2, 100);
    expect(cut).toBe(true);
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text).toMatch(/word…$/);
  });

  it('truncateWords leaves short text alone', () => {
    expect(truncateWords('short', 10)).toBe('short');
  });
});
