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
    expect(new Set(starts.map((at) => Math.floor(at / 2 ** 20))).size).toBeGreaterThan(2);
    expect(book.size).toBeLessThan(3_500_000);
  });

  it('packs the usual id and a shared domain small, and keeps any other text as it was', () => {
    const book = new RecipientBook();
    const plain = book.add({
      subscriberId: 'sub_00000005829333d2',
      email: 'r5@example.org',
      name: null,
    });
    const before = book.size;
    book.add({ subscriberId: 'sub_00000006829333d2', email: 'r6@example.org', name: null });
    // flags, the id's 8 bytes and their count, "r6" and its length, the domain's number
    expect(book.size - before).toBe(1 + 9 + 4 + 2);
    expect(book.read(plain)).toEqual({
      subscriberId: 'sub_00000005829333d2',
      email: 'r5@example.org',
      name: null,
    });
    const odd: Recipient[] = [
      { subscriberId: 'sub_abc', email: 'odd@example.org', name: 'odd hex' },
      { subscriberId: 'sub_ABCD', email: 'Upper@Example.ORG', name: 'upper hex, upper domain' },
      { subscriberId: 'sub_ana', email: 'no-at-sign', name: null },
      { subscriberId: `sub_${'ab'.repeat(128)}`, email: 'long@id.example', name: null },
      { subscriberId: '', email: '', name: '' },
      { subscriberId: 'sub_00', email: '"a@b"@exämple.org', name: '@' },
      { subscriberId: 'sub_ff', email: 'x@', name: null },
    ];
    const starts = odd.map((recipient) => book.add(recipient));
    expect(starts.map((at) => book.read(at))).toEqual(odd);
    expect(starts.map((at) => book.emailAt(at))).toEqual(odd.map((r) => r.email));
    expect(starts.map((at) => book.subscriberIdAt(at))).toEqual(odd.map((r) => r.subscriberId));
  });

  it('keeps addresses whole once its list of domains is full', () => {
    const book = new RecipientBook();
    const made = (i: number): Recipient => ({
      subscriberId: `sub_${i.toString(16).padStart(8, '0')}`,
      email: `a@d${i}.example`,
      name: null,
    });
    const starts = Array.from({ length: 70_000 }, (_, i) => book.add(made(i)));
    const wrong = starts.filter(
      (at, i) => JSON.stringify(book.read(at)) !== JSON.stringify(made(i)),
    );
    expect(wrong).toEqual([]);
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
