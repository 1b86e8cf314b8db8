// Pretty JSON a piece at a time: byte for byte what JSON.stringify(value, null, 2) gives.
import { describe, expect, it } from 'vitest';
import { prettyJsonWithArray, prettyJsonWithRecord } from '../../src/stores/json-pieces.js';

const ITEMS: unknown[] = [
  { id: 'seg_a', subject: 'Quotes " and \\ backslashes', topics: 'all', papers: 3 },
  { id: 'seg_b', subject: 'Zoë, 論文 and 🚀', topics: ['agents', 'video'], papers: 10 },
  { id: 'seg_c', subject: '', topics: [], papers: 0, nested: { deep: [1, [2, {}], null] } },
  'a string',
  42,
  null,
  [],
  {},
];

const HEADS: Record<string, unknown>[] = [
  {},
  { date: '2025-10-31' },
  { version: 1, note: 'multi\nline', list: [1, 2], inner: { a: true } },
];

describe('prettyJsonWithArray', () => {
  it('gives JSON.stringify(value, null, 2) and a newline, whatever the head and items', () => {
    for (const head of HEADS) {
      for (let count = 0; count <= ITEMS.length; count++) {
        const items = ITEMS.slice(0, count);
        const pieces = [...prettyJsonWithArray(head, 'segments', items)];
        expect(pieces.join('')).toBe(`${JSON.stringify({ ...head, segments: items }, null, 2)}\n`);
        // One piece per item, and one on either side.
        expect(pieces).toHaveLength(count + 2);
      }
    }
  });

  it('reads the items as it goes, from any iterable', () => {
    let read = 0;
    function* items(): Generator<unknown> {
      for (let i = 0; i < 3; i++) {
        read++;
        yield { i };
      }
    }
    const pieces = prettyJsonWithArray({ date: 'd' }, 'segments', items());
    pieces.next();
    pieces.next();
    expect(read).toBe(1);
    expect([...pieces].length).toBe(3);
    expect(read).toBe(3);
  });
});

describe('prettyJsonWithRecord', () => {
  it('gives JSON.stringify(value, null, 2) and a newline, odd keys included', () => {
    const entries: [string, unknown][] = [
      ['seg_a', { '2510.00001': '2025-10-31' }],
      ['"quoted" \\ key', {}],
      ['__proto__', { x: '2025-10-30' }],
      ['é', [1, 'two']],
    ];
    for (const head of HEADS) {
      for (let count = 0; count <= entries.length; count++) {
        const slice = entries.slice(0, count);
        const pieces = [...prettyJsonWithRecord(head, 'segments', slice)];
        const value = { ...head, segments: Object.fromEntries(slice) };
        expect(pieces.join('')).toBe(`${JSON.stringify(value, null, 2)}\n`);
      }
    }
  });
});
