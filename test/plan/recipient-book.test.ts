// The plan's packed recipients: what goes in comes out, whatever the text.
import { describe, expect, it } from 'vitest';
import { PackedRecipients, RecipientBook } from '../../src/plan/recipient-book.js';
import type { Recipient } from '../../src/plan/types.js';

const SAMPLES: Recipient[] = [
  { subscriberId: 'sub_0123456789abcdef', email: 'ada@example.org', name: 'Ada Lovelace' },
  { subscriberId: 'sub_1', email: 'zoe@example.com', name: 'Zoë Okafor' },
  { subscriberId: 'sub_2', email: 'kai@example.net', name: null },
  { subscriberId: 'sub_3', email: 'emoji@example.org', name: '🚀 論文 \u0000 "quoted"' },
  { subscriberId: 'sub_4', email: 'empty@example.org', name: '' },
];

describe('RecipientBook', () => {
  it('reads back each record as added: null, empty and multi-byte names included', () => {
    const book = new RecipientBook();
    const starts = SAMPLES.map((recipient) => book.add(recipient));
    expect(starts.map((at) => book.read(at))).toEqual(SAMPLES);
    // The keys alone, as the planner sorts by them.
    expect(starts.map((at) => book.emailAt(at))).toEqual(SAMPLES.map((r) => r.email));
    expect(starts.map((at) => book.subscriberIdAt(at))).toEqual(SAMPLES.map((r) => r.subscriberId));
  });

  it('keeps 100,000 records across its chunks, in a few MB', () => {
    const book = new RecipientBook();
    const made = (i: number): Recipient => ({
      subscriberId: `sub_${i.toString(16).padStart(16, '0')}`,
      email: `reader${i}@example.org`,
      name: i % 3 === 0 ? null : `Zoë ${i}`,
    });
    const starts = Array.from({ length: 100_000 }, (_, i) => book.add(made(i)));
    // Every one, those on either side of a chunk's end included.
    const wrong = starts.filter(
      (at, i) => JSON.stringify(book.read(at)) !== JSON.stringify(made(i)),
    );
    expect(wrong).toEqual([]);
    expect(new Set(starts.map((at) => Math.floor(at / 2 ** 20))).size).toBeGreaterThan(4);
    expect(book.size).toBeLessThan(6_000_000);
  });

  it('refuses a text too long for its record or for a chunk, naming the address', () => {
    expect(() =>
      new RecipientBook().add({
        subscriberId: 'sub_y',
        email: 'huge@example.org',
        name: 'x'.repeat(400_000),
      }),
    ).toThrow(/huge@example\.org: .* over 65534 bytes/);
    const book = new RecipientBook();
    const long = { subscriberId: 'sub_x', email: 'long@example.org', name: 'é'.repeat(40_000) };
    expect(() => book.add(long)).toThrow(/long@example\.org: .* over 65534 bytes/);
    // Nothing half-written: the next record reads back whole.
    const at = book.add(SAMPLES[0] as Recipient);
    expect(book.read(at)).toEqual(SAMPLES[0]);
  });
});

describe('PackedRecipients', () => {
  it('is the slice of shared offsets it was given: length, order, JSON', () => {
    const book = new RecipientBook();
    const starts = Uint32Array.from(SAMPLES, (recipient) => book.add(recipient));
    const middle = new PackedRecipients(book, starts, 1, 4);
    expect(middle.length).toBe(3);
    expect([...middle]).toEqual(SAMPLES.slice(1, 4));
    expect(JSON.parse(JSON.stringify(middle))).toEqual(SAMPLES.slice(1, 4));
    expect([...new PackedRecipients(book, starts, 2, 2)]).toEqual([]);
  });
});
