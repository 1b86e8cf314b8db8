// Atomic replacement from pieces, on real temporary files.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writePiecesAtomically } from '../../src/stores/write-pieces.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-pieces-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writePiecesAtomically', () => {
  it('writes every piece in order, across many batches, multi-byte characters included', async () => {
    const path = join(dir, 'file.txt');
    await writeFile(path, 'old');
    const pieces = Array.from({ length: 20_000 }, (_, i) => `${i}: Zoë → 論文 🚀\n`);
    await writePiecesAtomically(path, pieces);
    expect(await readFile(path, 'utf8')).toBe(pieces.join(''));
    expect(await readdir(dir)).toEqual(['file.txt']);
  });

  it('leaves the old file whole and no temporary file when the pieces fail part way', async () => {
    const path = join(dir, 'file.txt');
    await writeFile(path, 'old');
    function* failing() {
      for (let i = 0; i < 10_000; i++) yield 'x'.repeat(100);
      throw new Error('the history could not be built');
    }
    await expect(writePiecesAtomically(path, failing())).rejects.toThrow('could not be built');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['file.txt']);
  });

  it('fails, leaving nothing, when the folder is not there', async () => {
    const path = join(dir, 'missing', 'file.txt');
    await expect(writePiecesAtomically(path, ['a'])).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});
