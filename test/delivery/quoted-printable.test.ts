import { encode as nodemailerEncode } from 'nodemailer/lib/qp';
import { describe, expect, it } from 'vitest';
import {
  encodeQuotedPrintable,
  QP_LINE_LENGTH,
  wrapQuotedPrintable,
} from '../../src/delivery/quoted-printable.js';
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

describe('quoted-printable', () => {
  it('encodes exactly as nodemailer does, on 20,000 random texts', () => {
    const next = seededRandom(3);
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(next, Math.floor(next() * 30));
      const ours = encodeQuotedPrintable(text);
      if (ours !== nodemailerEncode(text)) expect(ours).toBe(nodemailerEncode(text));
    }
  });

  it('wraps at 76 columns without splitting an escape, and decodes back to the text', () => {
    const next = seededRandom(5);
    for (let n = 0; n < 5_000; n++) {
      // Long lines: runs of the alphabet without line breaks, joined by CRLF.
      const text = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        randomText(next, Math.floor(next() * 200)).replace(/[\r\n]/g, ''),
      ).join('\r\n');
      const wrapped = wrapQuotedPrintable(encodeQuotedPrintable(text));
      for (const line of wrapped.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(QP_LINE_LENGTH);
        expect(line).toMatch(/^(?:[\t\x20-\x3c\x3e-\x7e]|=[0-9A-F]{2})*=?$/);
      }
      expect(decode(wrapped)).toBe(text.replace(/\ud800/g, '\ufffd'));
    }
  });

  it('leaves short lines alone', () => {
    expect(wrapQuotedPrintable('a=3Db\r\nc')).toBe('a=3Db\r\nc');
    expect(encodeQuotedPrintable('tail \r\nend ')).toBe('tail=20\r\nend=20');
  });
});
