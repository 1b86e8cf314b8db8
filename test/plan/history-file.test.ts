// The send history file, on real temporary files.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import { historyText, readHistory, writeHistory } from '../../src/plan/history-file.js';
import type { SendHistory } from '../../src/plan/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HISTORY: SendHistory = {
  version: 1,
  segments: {
    seg_0123456789ab: { '2510.12345': '2025-10-31', 'some-title-1a2b3c4d': '2025-10-30' },
  },
};

async function errorOf(promise: Promise<unknown>): Promise<PaperboyError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PaperboyError);
  return error as PaperboyError;
}

describe('readHistory', () => {
  it('reads a missing file as an empty history', async () => {
    expect(await readHistory(join(dir, 'nope', 'history.json'))).toEqual({
      version: 1,
      segments: {},
    });
  });

  it('names the file, line and column of malformed JSON', async () => {
    const path = join(dir, 'history.json');
    await writeFile(
      path,
      '{\n  "version": 1,\n  "segments": {\n    "seg_a": { "p1": "2025-10-31" }\n    "seg_b": {}\n  }\n}\n',
    );
    const error = await errorOf(readHistory(path));
    expect(error.kind).toBe('store');
    expect(error.exitCode).toBe(6);
    expect(error.message).toBe(`${path}:5:5: malformed JSON: expected ','`);
    expect(error.hint).toMatch(/delete it/);
  });

  it('names every field of the wrong shape', async () => {
    const path = join(dir, 'history.json');
    await writeFile(
      path,
      JSON.stringify({ version: 2, segments: { seg_a: { p1: '31/10/2025', p2: 7 } } }),
    );
    const error = await errorOf(readHistory(path));
    expect(error.kind).toBe('store');
    expect(error.message).toBe(
      [
        `${path}: not a valid send history: 3 problem(s):`,
        '  version: Invalid input: expected 1',
        '  segments.seg_a.p1: expected a date as YYYY-MM-DD',
        '  segments.seg_a.p2: expected a string',
      ].join('\n'),
    );
  });

  it('says when the path cannot be read', async () => {
    const error = await errorOf(readHistory(dir));
    expect(error.kind).toBe('store');
    expect(error.message).toBe(`${dir}: send history cannot be read (EISDIR)`);
  });
});

/** A history of `segments` segments of up to 12 papers, with quotes and non-ASCII in the ids. */
function randomHistory(segments: number, seed: number): SendHistory {
  let state = seed;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const history: SendHistory = { version: 1, segments: {} };
  for (let s = 0; s < segments; s++) {
    const papers: Record<string, string> = {};
    const count = next(13);
    for (let p = 0; p < count; p++) {
      papers[`paper-${next(1000)}-"é\\${p}`] = `2025-10-${String(10 + next(20)).padStart(2, '0')}`;
    }
    history.segments[`seg_${s.toString(16).padStart(12, '0')}`] = papers;
  }
  return history;
}

describe('historyText', () => {
  it('is JSON.stringify(history, null, 2) and a newline, in pieces of one segment', () => {
    for (const [segments, seed] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [300, 4],
    ] as const) {
      const history = randomHistory(segments, seed);
      const pieces = [...historyText(Object.entries(history.segments))];
      expect(pieces.join('')).toBe(`${JSON.stringify(history, null, 2)}\n`);
      expect(pieces.length).toBe(segments + 2);
    }
  });
});

describe('writeHistory', () => {
  it('writes a history of 3,000 segments byte for byte as JSON.stringify would', async () => {
    const path = join(dir, 'history.json');
    const history = randomHistory(3000, 7);
    await writeHistory(path, history);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(history, null, 2)}\n`);
    expect(await readHistory(path)).toEqual(history);
  });

  it('writes what readHistory reads, creating the folder', async () => {
    const path = join(dir, 'data', 'history.json');
    await writeHistory(path, HISTORY);
    expect(await readHistory(path)).toEqual(HISTORY);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(HISTORY, null, 2)}\n`);
  });

  it('replaces the old file and leaves no temporary file behind', async () => {
    const path = join(dir, 'history.json');
    await writeHistory(path, { version: 1, segments: {} });
    await writeHistory(path, HISTORY);
    expect(await readHistory(path)).toEqual(HISTORY);
    expect(await readdir(dir)).toEqual(['history.json']);
  });

  it('fails with a store error when the file cannot be written', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, '');
    const error = await errorOf(writeHistory(join(blocker, 'history.json'), HISTORY));
    expect(error.kind).toBe('store');
    expect(error.message).toMatch(/history\.json: send history cannot be written \(E[A-Z]+\)$/);
  });
});
