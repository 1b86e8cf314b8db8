// The scanner that lets a large subscriber file be read a piece at a time, one record at a time:
// whatever the pieces, it must find exactly what JSON.parse finds, and never make an invalid text
// look valid.
import { describe, expect, it } from 'vitest';
import { createListScanner } from '../../src/stores/json-list-scanner.js';

interface Scan {
  items: string[];
  outer: string | null;
}

/** Scans `text` cut into pieces of `size` characters (the whole text when size is 0). */
function scan(text: string, size: number, key = 'list'): Scan {
  const items: string[] = [];
  const scanner = createListScanner(key, (item) => {
    items.push(item);
    return true;
  });
  const step = size || text.length || 1;
  for (let at = 0; at < text.length; at += step) {
    if (!scanner.push(text.slice(at, at + step))) break;
  }
  return { items, outer: scanner.end() };
}

/** What JSON.parse makes of the text, as the scanner's result should be: items and the rest. */
function parsedAs(text: string, key = 'list') {
  const value = JSON.parse(text) as Record<string, unknown>;
  const list = value[key];
  return { items: list === undefined ? [] : (list as unknown[]), outer: value };
}

const SIZES = [0, 1, 2, 3, 5, 8, 13, 64];

const VALID = [
  '{"list": []}',
  '{ "list" : [ ] }',
  '{}',
  '{"other": 1}',
  '{"list": [1, 2.5e3, -0, true, false, null, "x"]}',
  '{"version": 1, "list": [{"a": 1}, {"b": [1, [2, {"c": "]}"}]]}], "after": {"x": [1]}}',
  '{\r\n\t"list": [\r\n\t\t{"s": "a \\"quoted\\" ] } [ { word"},\n\t\t{"s": "back\\\\slash\\\\"}\n\t]\n}\n',
  '{"before": "\\"list\\": [", "list": [{"t": "Zoë, Søren, 日本, 🦆"}], "x": null}',
  '{"\\u006cist": [{"escaped": "key"}]}',
  '{"list": [{"deep": [[[[[]]]]]}, {}, []], "suppressions": []}',
  '  {"a": [1, 2, 3], "b": {"list": [9]}, "list": [10]}  ',
];

describe('createListScanner, on valid JSON', () => {
  it.each(VALID)('finds what JSON.parse finds, in pieces of any size: %s', (text) => {
    const expected = parsedAs(text);
    for (const size of SIZES) {
      const result = scan(text, size);
      expect(
        result.items.map((item) => JSON.parse(item)),
        `pieces of ${size}`,
      ).toEqual(expected.items);
      expect(result.outer, `pieces of ${size}`).not.toBeNull();
      const outer = JSON.parse(result.outer as string) as Record<string, unknown>;
      expect(outer, `pieces of ${size}`).toEqual(
        'list' in expected.outer ? { ...expected.outer, list: [] } : expected.outer,
      );
    }
  });

  it('hands each item over as soon as it is whole', () => {
    const seen: string[] = [];
    const scanner = createListScanner('list', (item) => {
      seen.push(item);
      return true;
    });
    scanner.push('{"list": [{"a": 1}, {"b"');
    expect(seen).toEqual(['{"a": 1}']);
    scanner.push(': 2}]}');
    expect(seen).toEqual(['{"a": 1}', '{"b": 2}']);
    expect(scanner.end()).toBe('{"list": []}');
  });

  it('stops when an item is refused', () => {
    const scanner = createListScanner('list', (item) => item !== '2');
    expect(scanner.push('{"list": [1, 2, 3]}')).toBe(false);
    expect(scanner.end()).toBeNull();
  });
});

const INVALID = [
  '',
  '   ',
  '[]',
  '{"list": [1, 2,]}',
  '{"list": [1 2]}',
  '{"list": [,1]}',
  '{"list": [1, 2]',
  '{"list": [1, 2',
  '{"list": [{"a": "unclosed}]}',
  '{"list": 1}',
  '{"list": {"a": [1]}}',
  '{"list": [1], "list": [2]}',
  '{"list": [1], "x": 2, "list": [2]}',
  '{"list": 1, "list": [2]}',
  '{list: [1]}',
  "{'list': [1]}",
  '{"a" 1, "list": [1]}',
  '{"a": 1 "list": [1]}',
];

/** Whether the caller would take the result for a valid file: everything parses. */
function looksValid({ items, outer }: Scan): boolean {
  try {
    if (outer === null) return false;
    for (const item of items) JSON.parse(item);
    JSON.parse(outer);
    return true;
  } catch {
    return false;
  }
}

describe('createListScanner, on text that is not a plain object with the list', () => {
  it.each(INVALID)('gives null, or what JSON.parse refuses: %s', (text) => {
    for (const size of SIZES) expect(looksValid(scan(text, size)), `pieces of ${size}`).toBe(false);
  });
});

/** mulberry32: a seeded generator, so that a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createListScanner, on damaged texts', () => {
  it('never makes invalid JSON look valid, nor valid JSON look different', () => {
    const random = seeded(7);
    const pieces = ['"', '\\', '[', ']', '{', '}', ',', ':', ' ', '1', '"list"', '-', 'e'];
    let accepted = 0;
    for (let round = 0; round < 4000; round++) {
      const base = VALID[Math.floor(random() * VALID.length)] as string;
      // Delete, insert or replace a character or two.
      let text = base;
      for (let edit = 0; edit < 1 + Math.floor(random() * 2); edit++) {
        const at = Math.floor(random() * (text.length + 1));
        const piece = pieces[Math.floor(random() * pieces.length)] as string;
        const kind = random();
        text =
          kind < 0.33
            ? text.slice(0, at) + text.slice(at + 1)
            : kind < 0.66
              ? text.slice(0, at) + piece + text.slice(at)
              : text.slice(0, at) + piece + text.slice(at + 1);
      }
      const result = scan(text, SIZES[Math.floor(random() * SIZES.length)] as number);
      // Refused: the whole-text path then says why.
      if (!looksValid(result)) continue;
      // Taken for valid: the whole text must be valid JSON, with exactly these items.
      accepted++;
      const items = result.items.map((item) => JSON.parse(item));
      const outer = JSON.parse(result.outer as string);
      expect(() => JSON.parse(text), text).not.toThrow();
      const expected = parsedAs(text);
      expect(items, text).toEqual(expected.items);
      expect(outer, text).toEqual(
        'list' in expected.outer ? { ...expected.outer, list: [] } : expected.outer,
      );
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
