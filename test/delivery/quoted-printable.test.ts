import { encode as nodemailerEncode } from 'nodemailer/lib/qp';
import { describe, expect, it } from 'vitest';
import { encodeQuotedPrintable, QP_LINE_LENGTH } from '../../src/delivery/quoted-printable.js';
import { seededRandom } from '../helpers.js';

/** Characters quoted-printable treats specially, plus plain ones, non-ASCII and broken UTF-16. */
const ALPHABET = [
  'a',
  'Z',
  '=',
  ' ',
  '\t',
  '\r\n',
  '\r',
  '\n',
  '.',
  'é',
  '中',
  '🚀',
  '\u0001',
  '\u007f',
  '\ud800',
  '<',
  '"',
];

function randomText(next: () => number, length: number): string {
  return Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
}

/** RFC 2045 decoding, as a reader does it: drop soft breaks, turn =XX into bytes, read UTF-8. */
function decode(encoded: string): string {
  const bytes: number[] = [];
  const text = encoded.replace(/=\r\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The reference: nodemailer's `encode` on the text with its line breaks made CRLF, then lines
 * longer than 76 columns cut at 75 plus "=", backing off when the cut would split an =XX escape,
 * and a "." that starts a line (or a piece after a cut) written =2E before the line is measured.
 * Plain and slow, which is why the code under test works on bytes instead.
 */
function reference(text: string): string {
  const encoded = nodemailerEncode(text.replace(/\r?\n/g, '\r\n'));
  return encoded
    .split('\r\n')
    .map((whole) => {
      const pieces: string[] = [];
      let line = whole;
      let from = 0;
      const escapeDot = () => {
        if (line[from] === '.') line = `${line.slice(0, from)}=2E${line.slice(from + 1)}`;
      };
      for (escapeDot(); line.length - from > QP_LINE_LENGTH; escapeDot()) {
        let cut = from + QP_LINE_LENGTH - 1;
        if (line[cut - 1] === '=') cut -= 1;
        else if (line[cut - 2] === '=') cut -= 2;
        pieces.push(`${line.slice(from, cut)}=`);
        from = cut;
      }
      pieces.push(line.slice(from));
      return pieces.join('\r\n');
    })
    .join('\r\n');
}

const encode = (text: string) => encodeQuotedPrintable(text).toString('latin1');

describe('quoted-printable', () => {
  it('encodes exactly as the reference does, on 20,000 random texts with short lines', () => {
    const next = seededRandom(3);
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(next, Math.floor(next() * 30));
      const ours = encode(text);
      if (ours !== reference(text)) expect(ours).toBe(reference(text));
    }
  });

  it('and on 5,000 with long lines: at most 76 columns, no escape split, decodes back', () => {
    const next = seededRandom(5);
    for (let n = 0; n < 5_000; n++) {
      // Long lines: runs of the alphabet, some without line breaks, joined by LF or CRLF.
      const text = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
        const run = randomText(next, Math.floor(next() * 300));
        return next() < 0.5 ? run.replace(/[\r\n]/g, '') : run;
      }).join(next() < 0.5 ? '\n' : '\r\n');
      const ours = encode(text);
      if (ours !== reference(text)) expect(ours).toBe(reference(text));
      const bad = ours
        .split('\r\n')
        .filter(
          (line) =>
            line.length > QP_LINE_LENGTH ||
            line.startsWith('.') ||
            !/^(?:[\t\r\x20-\x3c\x3e-\x7e]|=[0-9A-F]{2})*=?$/.test(line),
        );
      expect(bad).toEqual([]);
      const expected = text.replace(/\r?\n/g, '\r\n').replace(/\ud800/g, '\ufffd');
      expect(decode(ours)).toBe(expected);
    }
  });

  it('writes a dot that would start a line as =2E, so SMTP has nothing to stuff', () => {
    expect(encode('.a\n.\nb.c')).toBe('=2Ea\r\n=2E\r\nb.c');
    // A line that fits in 76 columns until its dot is escaped is cut after all.
    const fits = `.${'x'.repeat(75)}`;
    expect(encode(fits)).toBe(`=2E${'x'.repeat(72)}=\r\n${'x'.repeat(3)}`);
    // A dot right after a soft break.
    expect(encode(`${'y'.repeat(75)}.z`)).toBe(`${'y'.repeat(75)}=\r\n=2Ez`);
    expect(decode(encode(fits))).toBe(fits);
  });

  it('and on 2,000 mostly plain texts, like the HTML of an email: long runs, now and then an escape', () => {
    const next = seededRandom(7);
    const plain = 'abcdefghijklmnopqrstuvwxyz<>/"; .:-';
    for (let n = 0; n < 2_000; n++) {
      let text = '';
      const length = Math.floor(next() * 3_000);
      while (text.length < length) {
        // Runs of plain characters (spaces included) as long as several lines, then one of the
        // alphabet's characters, which may be escaped, a space before a break, or a break.
        const run = Math.floor(next() * 200);
        for (let i = 0; i < run; i++) text += plain[Math.floor(next() * plain.length)];
        text += ALPHABET[Math.floor(next() * ALPHABET.length)];
      }
      const ours = encode(text);
      if (ours !== reference(text)) expect(ours).toBe(reference(text));
    }
  });

  it('escapes a space or tab before a break or at the end, and nothing else of a short line', () => {
    expect(encode('a=b\nc')).toBe('a=3Db\r\nc');
    expect(encode('tail \r\nend ')).toBe('tail=20\r\nend=20');
    expect(encode('tab\t\rx')).toBe('tab=09\rx');
    expect(encode('')).toBe('');
    expect(encode('x\n')).toBe('x\r\n');
  });

  it('encodes a 60 KB body the same way after larger and smaller ones (its buffers are reused)', () => {
    const next = seededRandom(9);
    const big = randomText(next, 60_000);
    const small = randomText(next, 50);
    const first = encode(big);
    encode(small);
    encode(randomText(next, 200_000));
    expect(encode(big)).toBe(first);
    expect(first).toBe(reference(big));
  });
});
