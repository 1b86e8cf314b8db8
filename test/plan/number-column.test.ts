// The planner's growable columns of u32 numbers.
import { describe, expect, it } from 'vitest';
import { NumberColumn } from '../../src/plan/number-column.js';

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
