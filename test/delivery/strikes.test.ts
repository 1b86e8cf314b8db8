import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStrikeBook, reachesBounceLimit, strikesPath } from '../../src/delivery/strikes.js';

const NOW = () => new Date('2025-10-31T07:00:00.000Z');
const FAILURE = { code: 550, response: '550 5.1.1 No such user' };

function tempPath(): string {
  return strikesPath(join(mkdtempSync(join(tmpdir(), 'paperboy-strikes-')), 'data'));
}

describe('bounce strikes', () => {
  it('counts hard and soft strikes per subscriber in the data folder', async () => {
    const path = tempPath();
    const book = await openStrikeBook(path, NOW);
    expect(await book.add('sub_1', 'soft', { code: 451, response: '451 later' })).toMatchObject({
      hard: 0,
      soft: 1,
    });
    expect(await book.add('sub_1', 'hard', FAILURE)).toEqual({
      hard: 1,
      soft: 1,
      lastAt: '2025-10-31T07:00:00.000Z',
      lastCode: 550,
      lastResponse: '550 5.1.1 No such user',
    });
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(file.subscribers)).toEqual(['sub_1']);
    // Another run sees them.
    const later = await openStrikeBook(path, NOW);
    expect(await later.add('sub_1', 'soft', FAILURE)).toMatchObject({ hard: 1, soft: 2 });
  });

  it('forgets the strikes once a delivery goes through: only a run of failures bounces', async () => {
    const path = tempPath();
    const book = await openStrikeBook(path, NOW);
    await book.add('sub_1', 'soft', FAILURE);
    await book.add('sub_2', 'soft', FAILURE);
    await book.clear('sub_1');
    await book.clear('sub_3');
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).subscribers)).toEqual(['sub_2']);
  });

  it.each([
    [{ hard: 1, soft: 0 }, true],
    [{ hard: 0, soft: 2 }, false],
    [{ hard: 0, soft: 3 }, true],
  ])('%o reaches the default limits (1 hard, 3 soft): %s', (counts, expected) => {
    const record = { ...counts, lastAt: '', lastCode: null, lastResponse: '' };
    expect(reachesBounceLimit(record, { hardBounceLimit: 1, softBounceLimit: 3 })).toBe(expected);
  });

  it('refuses a broken file with a hint instead of losing the counts (exit 6)', async () => {
    const path = tempPath();
    const book = await openStrikeBook(path, NOW);
    await book.add('sub_1', 'hard', FAILURE);
    writeFileSync(path, '{"version":1,"subscribers":{"sub_1":{"hard":"one"}}}');
    await expect(openStrikeBook(path, NOW)).rejects.toMatchObject({
      kind: 'store',
      hint: expect.stringMatching(/delete it/),
    });
  });
});
