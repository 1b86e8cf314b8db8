import { describe, expect, it } from 'vitest';
import {
  buildLinks,
  cleanCodeUrl,
  findCodeUrl,
  findProjectUrl,
  isArxivId,
  normalizeRepoUrl,
  toHttpsUrl,
} from '../../src/sources/links.js';

describe('findCodeUrl cleans code links the way authors write them', () => {
  it.each([
    ['trailing period', 'Code is available at https://github.com/x/y.', 'https://github.com/x/y'],
    [
      'closing paren and period',
      '(code: https://github.com/NVlabs/gbrl).',
      'https://github.com/NVlabs/gbrl',
    ],
    [
      '.git then period',
      'at https://github.com/sunwei925/DN-PIQA.git.',
      'https://github.com/sunwei925/DN-PIQA',
    ],
    [
      'space after the host',
      'at https://github.com/ altair199797/LowFormer',
      'https://github.com/altair199797/LowFormer',
    ],
    [
      'deep path kept',
      'at https://github.com/weiliu89/caffe/tree/ssd .',
      'https://github.com/weiliu89/caffe/tree/ssd',
    ],
    [
      'trailing slash and period',
      'at https://github.com/bollossom/E-3DSNN/.',
      'https://github.com/bollossom/E-3DSNN',
    ],
    ['http upgraded', 'at http://github.com/a/b', 'https://github.com/a/b'],
    ['www dropped', 'at https://www.github.com/a/b', 'https://github.com/a/b'],
    ['gitlab', 'see https://gitlab.com/group/proj, and', 'https://gitlab.com/group/proj'],
    [
      'bare host skipped for the next',
      'at https://github.com/ . Also https://github.com/a/b',
      'https://github.com/a/b',
    ],
    ['bare host alone', 'released at https://github.com/.', null],
    ['not a code host', 'see https://example.org/code', null],
    ['balanced parens kept', 'https://github.com/a/b_(c)', 'https://github.com/a/b_(c)'],
    ['nothing', 'no links here', null],
  ])('%s', (_name, abstract, expected) => {
    expect(findCodeUrl(abstract)).toBe(expected);
  });
});

describe('normalizeRepoUrl (the API githubRepo field)', () => {
  it.each([
    ['https://github.com/marco-garosi/CIRCLE', 'https://github.com/marco-garosi/CIRCLE'],
    ['marco-garosi/CIRCLE', 'https://github.com/marco-garosi/CIRCLE'],
    ['https://github.com/a/b.git', 'https://github.com/a/b'],
    ['https://github.com/', null],
    ['', null],
    [null, null],
    ['javascript:alert(1)', null],
  ])('%s', (input, expected) => {
    expect(normalizeRepoUrl(input)).toBe(expected);
  });
});

describe('toHttpsUrl only lets absolute web addresses through', () => {
  it.each([
    ['https://circle-lmm.github.io/', 'https://circle-lmm.github.io/'],
    ['http://example.org/x', 'https://example.org/x'],
    ['javascript:alert(1)', null],
    ['data:text/html,hi', null],
    ['/relative/path', null],
    ['https://localhost/', null],
    ['https://user:pw@example.org/', null],
    ['not a url', null],
  ])('%s', (input, expected) => {
    expect(toHttpsUrl(input)).toBe(expected);
  });
});

describe('buildLinks', () => {
  it('links the HF page, arXiv and the PDF for an arXiv id', () => {
    expect(buildLinks({ id: '2602.23229', title: 'T', code: null, project: null })).toEqual({
      paper: 'https://huggingface.co/papers/2602.23229',
      arxiv: 'https://arxiv.org/abs/2602.23229',
      pdf: 'https://arxiv.org/pdf/2602.23229',
      code: null,
      project: null,
    });
  });

  it('falls back to an HF search for the title when the id is not an arXiv id', () => {
    const links = buildLinks({
      id: 'local-augmentation-1234abcd',
      title: 'A & B: C?',
      code: null,
      project: null,
    });
    expect(links.paper).toBe('https://huggingface.co/papers?q=A%20%26%20B%3A%20C%3F');
    expect(links.arxiv).toBeNull();
    expect(links.pdf).toBeNull();
  });

  it.each([
    ['2602.23229', true],
    ['2602.23229v2', true],
    ['1506.01497', true],
    ['hep-th/9901001', true],
    ['local-augmentation-1234abcd', false],
    ['../../etc', false],
  ])('isArxivId(%s) is %s', (id, expected) => {
    expect(isArxivId(id)).toBe(expected);
  });

  it('finds a GitHub Pages project site', () => {
    expect(findProjectUrl('Project page: https://circle-lmm.github.io/.')).toBe(
      'https://circle-lmm.github.io/',
    );
    expect(findProjectUrl('Code: https://github.com/a/b')).toBeNull();
  });

  it('cleanCodeUrl rejects non-code hosts', () => {
    expect(cleanCodeUrl('https://example.com/a/b')).toBeNull();
  });
});
