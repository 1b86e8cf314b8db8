// arePiecesClean decides, from a message's pieces, that SMTP DATA needs no dot-stuffing; the pool
// then tells nodemailer to skip its own scan. Held here to that scan (the patched
// DataStream.isClean on the joined bytes) on random pieces, and through a real SMTP server.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { arePiecesClean } from '../../src/delivery/clean-pieces.js';
import { encodeQuotedPrintable } from '../../src/delivery/quoted-printable.js';
import { createSegmentMessage } from '../../src/delivery/segment-mime.js';
import { createSmtpPool } from '../../src/delivery/smtp-pool.js';
import type { MessagePiece } from '../../src/delivery/transport.js';
import { createSlotMarkers, toSlotted } from '../../src/render/slots.js';
import { seededRandom } from '../helpers.js';
import { startSmtpSink } from './smtp-sink.js';

// Not in nodemailer's exports map: loaded by path (the ES module build paperboy runs).
const dataStreamPath = fileURLToPath(import.meta.resolve('nodemailer')).replace(
  /nodemailer\.js$/,
  'smtp-connection/data-stream.js',
);
const { default: DataStream } = (await import(pathToFileURL(dataStreamPath).href)) as {
  default: { isClean(message: Buffer): boolean };
};

/** Bytes around which stuffing and line-end repair turn: CR, LF, dots, and plain text. */
const ALPHABET = ['a', 'bc', '.', '\r', '\n', '\r\n', '\r\n.', '.\r\n', '\r\r\n', 'x.y'];

function joined(pieces: readonly MessagePiece[]): Buffer {
  return Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
}

describe('arePiecesClean', () => {
  it('agrees with nodemailer scanning the joined message, on 20,000 random messages', () => {
    const next = seededRandom(2920);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
    // Buffers reused between messages, as a segment's pieces are: remembered, with new seams.
    const shared = Array.from({ length: 12 }, () =>
      Buffer.from(
        Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(ALPHABET)).join(''),
      ),
    );
    let clean = 0;
    for (let round = 0; round < 20_000; round++) {
      const pieces: MessagePiece[] = Array.from({ length: 1 + Math.floor(next() * 5) }, () => {
        const roll = next();
        if (roll < 0.3) return pick(shared);
        const text = Array.from({ length: Math.floor(next() * 4) }, () => pick(ALPHABET)).join('');
        return roll < 0.65 ? text : Buffer.from(text, 'latin1');
      });
      const whole = joined(pieces);
      if (whole.length === 0) continue;
      const expected = DataStream.isClean(whole);
      expect(arePiecesClean(pieces), JSON.stringify(whole.toString('latin1'))).toBe(expected);
      if (expected) clean++;
    }
    // Both answers were exercised plenty.
    expect(clean).toBeGreaterThan(1_000);
    expect(clean).toBeLessThan(19_000);
  });

  it('judges a remembered piece again at every seam', () => {
    const dotLine = Buffer.from('.hidden\r\n');
    expect(arePiecesClean(['Subject: a', dotLine])).toBe(true);
    expect(arePiecesClean(['Subject: a\r\n', dotLine])).toBe(false);
    expect(arePiecesClean([dotLine])).toBe(false);
    const lineEnd = Buffer.from('\n tail\r\n');
    expect(arePiecesClean(['head\r', lineEnd])).toBe(true);
    expect(arePiecesClean(['head', lineEnd])).toBe(false);
  });
});

describe('what segment-mime.ts remembers as clean without a scan', () => {
  it('the quoted-printable encoding of text without a CR: on 5,000 random texts', () => {
    const next = seededRandom(2045);
    // Dots, line feeds, spaces before breaks, escapes, and long lines that are cut.
    const alphabet = ['a', '.', '. ', '\n', '\n.', ' \n', '=', 'é', '🚀', '\t', 'x'.repeat(80)];
    for (let n = 0; n < 5_000; n++) {
      const text = Array.from(
        { length: 1 + Math.floor(next() * 40) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('');
      const encoded = encodeQuotedPrintable(text);
      expect(DataStream.isClean(encoded), JSON.stringify(text)).toBe(true);
    }
  });

  it('and only that: a segment whose text has a lone CR is scanned, and found unclean', async () => {
    const markers = createSlotMarkers();
    const built = async (text: string) =>
      (
        await createSegmentMessage({
          from: { name: 'Trending Papers', address: 'papers@example.org' },
          subject: 'Papers',
          listId: { name: 'Trending Papers', id: 'digest.example.org' },
          unsubscribeMailto: null,
          rendered: {
            segmentId: 'seg_1',
            subject: 'Papers',
            preheader: '',
            html: toSlotted(`<p>${text}</p><a href="${markers.unsubscribeUrl}">x</a>`, markers),
            text: toSlotted(`${markers.greeting}${text}\n${markers.unsubscribeUrl}`, markers),
            paperIds: [],
          },
        })
      )({
        to: { name: 'Ada', address: 'ada@example.org' },
        name: 'Ada',
        messageId: '<1@example.org>',
        date: new Date('2025-10-31T07:00:00Z'),
        unsubscribeUrl: 'https://papers.example.org/u/1',
        preferencesUrl: 'https://papers.example.org/p/1',
      });
    for (const [text, clean] of [
      ['a line\n.a dot line', true],
      ['a bare\rCR', false],
    ] as const) {
      const pieces = await built(text);
      expect(DataStream.isClean(joined(pieces))).toBe(clean);
      expect(arePiecesClean(pieces)).toBe(clean);
    }
  });
});

describe('a message in pieces through the SMTP pool', () => {
  it('is dot-stuffed on the wire when a seam starts a line with a dot, and arrives intact', async () => {
    const sink = await startSmtpSink({});
    const pool = createSmtpPool({
      url: sink.url,
      maxConnections: 1,
      maxMessages: 10,
      timeoutMs: 5000,
      rateDelta: 1000,
    });
    try {
      const head = 'From: papers@example.org\r\nTo: ada@example.org\r\nSubject: seams\r\n\r\n';
      const clean = [head, Buffer.from('first line\r\n'), 'second line\r\n'];
      // Each piece but the dots is clean on its own; joined, a line is a lone dot (unstuffed, it
      // would end the data there) and the next starts with two (unstuffed, the server drops one).
      const dotted = [head, Buffer.from('first line\r\n'), '.', Buffer.from('\r\n'), '..third\r\n'];
      await pool.send({ from: 'papers@example.org', to: 'ada@example.org' }, clean);
      await pool.send({ from: 'papers@example.org', to: 'ada@example.org' }, dotted);
      // What the server read back after un-stuffing is what was given, byte for byte.
      expect(sink.received.map((m) => m.raw.toString('latin1'))).toEqual([
        joined(clean).toString('latin1'),
        joined(dotted).toString('latin1'),
      ]);
    } finally {
      pool.close();
      await sink.close();
    }
  });
});
