import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type LedgerEntry,
  openLedger,
  readLedger,
  readPriorDeliveries,
} from '../../src/delivery/ledger.js';

const AT = '2025-10-31T07:00:00.000Z';
const line = (entry: Partial<LedgerEntry>) =>
  `${JSON.stringify({ at: AT, subscriberId: 'sub_1', email: 'a@example.org', state: 'sent', ...entry })}\n`;

/** Subscriber n's entry, with these fields. */
function numbered(n: number, fields: Omit<LedgerEntry, 'at' | 'subscriberId' | 'email'>) {
  return { at: AT, subscriberId: `sub_${n}`, email: `r${n}@example.org`, ...fields };
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'paperboy-ledger-')), 'ledger', '2025-10-31.jsonl');
}

describe('the send ledger', () => {
  it('gives the latest state of each delivery, with its segment and skip reason', async () => {
    const path = tempFile();
    const ledger = openLedger(path);
    ledger.append({
      at: AT,
      subscriberId: 'sub_1',
      email: 'a@example.org',
      state: 'sending',
      segmentId: 'seg_a',
    });
    ledger.append({
      at: AT,
      subscriberId: 'sub_2',
      email: 'b@example.org',
      state: 'skipped',
      reason: 'bounced',
    });
    ledger.append({
      at: AT,
      subscriberId: 'sub_1',
      email: 'a@example.org',
      state: 'sent',
      segmentId: 'seg_a',
    });
    ledger.close();
    const prior = await readPriorDeliveries(path);
    expect(Object.fromEntries(prior)).toEqual({
      sub_1: { state: 'sent', segmentId: 'seg_a' },
      sub_2: { state: 'skipped', reason: 'bounced' },
    });
    expect(await readLedger(path)).toHaveLength(3);
  });

  it('writes what was appended at a commit, once enough waits, and on close', () => {
    const path = tempFile();
    const ledger = openLedger(path);
    const entry = (n: number) => numbered(n, { state: 'skipped', reason: 'nothing-matched' });
    ledger.append(entry(1));
    expect(readFileSync(path, 'utf8')).toBe('');
    ledger.commit();
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(entry(1))}\n`);
    // A long burst (the plan's skips) does not wait in memory for a commit.
    for (let n = 2; n <= 2000; n++) ledger.append(entry(n));
    const written = readFileSync(path, 'utf8').split('\n').length - 1;
    expect(written).toBeGreaterThan(1);
    expect(written).toBeLessThan(2000);
    ledger.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as LedgerEntry).subscriberId)).toEqual(
      Array.from({ length: 2000 }, (_, i) => `sub_${i + 1}`),
    );
  });

  it('committed(): the callers of one event-loop turn share one write at its end', async () => {
    const path = tempFile();
    const ledger = openLedger(path);
    const entry = (n: number) => numbered(n, { state: 'sending', attempt: 1 });
    ledger.append(entry(1));
    const first = ledger.committed();
    ledger.append(entry(2));
    const second = ledger.committed();
    expect(second).toBe(first);
    // Nothing is written within the turn...
    expect(readFileSync(path, 'utf8')).toBe('');
    await Promise.all([first, second]);
    // ...and both entries are, once it ends.
    expect(readFileSync(path, 'utf8')).toBe(
      `${JSON.stringify(entry(1))}\n${JSON.stringify(entry(2))}\n`,
    );
    // A later turn gets a write of its own.
    ledger.append(entry(3));
    const third = ledger.committed();
    expect(third).not.toBe(first);
    await third;
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(3);
    ledger.close();
  });

  it('committed() rejects when the write fails (a full disk)', async () => {
    const ledger = openLedger('/dev/full');
    ledger.append({ at: AT, subscriberId: 'sub_1', email: 'a@example.org', state: 'sending' });
    await expect(ledger.committed()).rejects.toThrow(/ENOSPC/);
    // A device has nothing to fsync (EINVAL); the descriptor is closed all the same.
    expect(() => ledger.close()).toThrow(/EINVAL/);
    expect(() => ledger.close()).not.toThrow();
  });

  it('reads a missing ledger as empty: the first run of an issue', async () => {
    expect((await readPriorDeliveries(tempFile())).size).toBe(0);
  });

  it('ignores a line torn by a crash, and cuts it off before appending', async () => {
    const path = tempFile();
    openLedger(path).close();
    writeFileSync(
      path,
      `${line({ subscriberId: 'sub_1' })}{"at":"2025-10-31T07:00:01.000Z","subscr`,
    );
    expect(Object.fromEntries(await readPriorDeliveries(path))).toEqual({
      sub_1: { state: 'sent' },
    });
    const ledger = openLedger(path);
    ledger.append({ at: AT, subscriberId: 'sub_2', email: 'b@example.org', state: 'sending' });
    ledger.close();
    expect(readFileSync(path, 'utf8')).toBe(
      `${line({ subscriberId: 'sub_1' })}${line({ subscriberId: 'sub_2', email: 'b@example.org', state: 'sending' })}`,
    );
    expect((await readPriorDeliveries(path)).get('sub_2')).toEqual({ state: 'sending' });
  });

  it('refuses a ledger damaged before its last line (exit 6)', async () => {
    const path = tempFile();
    openLedger(path).close();
    appendFileSync(path, `${line({})}not json\n${line({ subscriberId: 'sub_2' })}`);
    await expect(readPriorDeliveries(path)).rejects.toMatchObject({
      kind: 'store',
      message: expect.stringMatching(/:2: not a ledger entry$/),
    });
  });
});
