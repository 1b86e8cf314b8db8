// Growable columns of numbers: u32 for the planner, doubles for the scan's fingerprints.
import { describe, expect, it } from 'vitest';
import { NumberColumn } from '../src/number-column.js';

describe('NumberColumn', () => {
  it('keeps every number pushed, in order, as it grows', () => {
    const column = new NumberColumn();
    expect(column.length).toBe(0);
    const values = Array.from({ length: 5000 }, (_, n) => (n * 2654435761) >>> 0);
    values.push(0, 0xffffffff);
    for (const value of values) column.push(value);
    expect(column.length).toBe(values.length);
    expect(Array.from({ length: column.length }, (_, n) => column.at(n))).toEqual(values);
  });
});

describe('NumberColumn of doubles', () => {
  it('keeps 53-bit numbers whole, and copies what was pushed', () => {
    const column = new NumberColumn(Float64Array);
    const values = Array.from({ length: 3000 }, (_, n) => 2 ** 53 - 1 - n * 1_000_003);
    for (const value of values) column.push(value);
    expect(Array.from({ length: column.length }, (_, n) => column.at(n))).toEqual(values);
    const copy = column.copy();
    expect(Array.from(copy)).toEqual(values);
    copy[0] = 0;
    expect(column.at(0)).toBe(values[0]);
  });
});
