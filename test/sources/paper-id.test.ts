import { describe, expect, it } from 'vitest';
import { normalizeTitle, titleId } from '../../src/sources/paper-id.js';

/** The general rule, which normalizeTitle shortcuts for ASCII titles. */
function reference(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

describe('titleId: a stable id from the title', () => {
  it.each([
    [
      'TaskExpert: Dynamically Assembling Multi-Task Representations with Memorial Mixture-of-Experts',
      'taskexpert-dynamically-assembling-multi-task-representations-ee297ba2',
    ],
    ['"Quoted" & Co. -- 3D *', 'quoted-co-3d-a64433f0'],
    ['Naïve Café: Ŝtudy of Ｆｕｌｌｗｉｄｔｈ 深度学习', 'naive-cafe-study-of-fullwidth-ac688e4e'],
    ['!!!', 'paper-e3b0c442'],
  ])('%s', (title, id) => {
    expect(titleId(title)).toBe(id);
  });

  it('normalizes ASCII titles as the general Unicode rule does', () => {
    let ascii = '';
    for (let code = 0; code < 0x80; code++) ascii += String.fromCharCode(code);
    for (const title of [ascii, `  ${ascii}  Mixed Case 42 `, 'A--B__C  d\te', '']) {
      expect(normalizeTitle(title)).toBe(reference(title));
    }
    expect(normalizeTitle('Naïve Café ½')).toBe(reference('Naïve Café ½'));
  });
});
