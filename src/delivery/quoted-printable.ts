// Quoted-printable (RFC 2045 §6.7) for the bodies of a segment's MIME, which are encoded once per
// segment: with thousands of segments that encoding is on the hot path (nodemailer's encoder, a
// JavaScript loop building strings and then a regular-expression line wrapper, manages about
// 20 MB/s; a string version with native regular expressions about 25 MB/s). This one works on the
// UTF-8 bytes, one pass per line writing it with its soft breaks; whether the rest of a line is
// cut depends on its encoded length, so only its last 76 columns are measured, from the end. The
// encoding is nodemailer's `encode` character for character, with line breaks as CRLF and soft
// line breaks where a line is too long, and one addition: a "." that would start a line is written
// =2E (test/delivery/quoted-printable.test.ts holds it to a plain string reference).
//
// Why the dot: SMTP doubles a dot that starts a line (dot-stuffing), and nodemailer's stream does
// it by copying the whole message into a new buffer, about 30 KB per message, tens of megabytes a
// second for the garbage collector. Every digest had a few such lines (CSS rules like ".pb-head",
// wrapped text). RFC 2045 6.7 (1) lets any octet be written =XX, and a reader decodes the same text;
// with no line starting with a dot the stream has nothing to insert and passes the bytes through.

import { createUtf8Scratch } from './utf8-scratch.js';

/** The longest line, without its CRLF. */
export const QP_LINE_LENGTH = 76;

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;
const EQUALS = 0x3d;
const DOT = 0x2e;
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

/**
 * Columns a byte takes when it is not a space or tab: 1 for printable ASCII but "=" (and CR, which
 * nodemailer leaves as it is), 3 for an =XX escape. Space and tab take 1, or 3 before a break, a
 * CR or the end.
 */
const WIDTH = new Uint8Array(256).fill(3);
for (let byte = 0x21; byte <= 0x7e; byte++) WIDTH[byte] = byte === EQUALS ? 3 : 1;
WIDTH[CR] = 1;

/**
 * Bytes the fast path copies as they are, one column each: printable ASCII but "=" (1), and space
 * and tab (2: as they are only when more of the line follows and it is not a CR).
 */
const PLAIN = new Uint8Array(256);
for (let byte = 0x21; byte <= 0x7e; byte++) PLAIN[byte] = byte === EQUALS ? 0 : 1;
PLAIN[SPACE] = 2;
PLAIN[TAB] = 2;

/** The input's bytes, reused between calls. */
const utf8 = createUtf8Scratch();
/** Reused between calls: the output before it is copied out at its exact size. */
let output = Buffer.allocUnsafe(256 * 1024);

/** The columns the byte at `i` takes, `end` being where its line's content ends. */
function widthAt(input: Buffer, i: number, end: number): number {
  const byte = input[i] as number;
  if (byte !== SPACE && byte !== TAB) return WIDTH[byte] as number;
  return i + 1 < end && input[i + 1] !== CR ? 1 : 3;
}

/** The columns of the bytes from `from` to `end`, the end of their line's content. */
function widthOf(input: Buffer, from: number, end: number): number {
  let width = 0;
  for (let i = from; i < end; i++) width += widthAt(input, i, end);
  return width;
}

/**
 * Encodes `text` (as UTF-8): "=", control characters and non-ASCII bytes as =XX, a space or tab
 * right before a line break or at the very end as =20/=09 (it would be read as padding); LF and
 * CRLF become CRLF (a lone CR stays, as nodemailer leaves it); lines longer than 76 columns are
 * cut with soft breaks ("=" CRLF) after at most 75 columns, never inside an =XX escape; a "." that
 * starts an encoded line (after a hard or a soft break) as =2E.
 */
export function encodeQuotedPrintable(text: string): Buffer {
  const input = utf8(text);
  const length = input.length;
  // Worst case: every byte escaped (3 columns), plus a soft break (3 bytes) per 73 columns.
  if (output.length < length * 4 + 16) output = Buffer.allocUnsafe(length * 4 + 16);
  const out = output;
  let written = 0;
  let start = 0;
  for (;;) {
    let end = input.indexOf(LF, start);
    const hasBreak = end !== -1;
    if (!hasBreak) end = length;
    // A CR right before the LF belongs to the line break, not to the line.
    const contentEnd = hasBreak && end > start && input[end - 1] === CR ? end - 1 : end;
    // Whether the rest of a line is cut at all depends on its encoded length (a rest of 76 fits
    // on one line). Only the last 76 columns can fit, so instead of measuring the whole line, find
    // where they start, walking back from its end: the rest from `fits` on is 76 or less.
    let fits = contentEnd;
    for (let tail = 0; fits > start; fits--) {
      tail += widthAt(input, fits - 1, contentEnd);
      if (tail > QP_LINE_LENGTH) break;
    }
    let cutting = start < fits;
    let column = 0;
    for (let i = start; i < contentEnd; i++) {
      // Fast path, most of the bytes: a run of plain ones, copied until the next cut (when
      // cutting) or the first byte that needs more thought. It never starts with a "." at column 0.
      if (column > 0 || input[i] !== DOT) {
        let stop = cutting ? i + (QP_LINE_LENGTH - 1 - column) : contentEnd;
        if (stop > contentEnd) stop = contentEnd;
        const from = i;
        for (; i < stop; i++) {
          const plain = PLAIN[input[i] as number];
          if (plain === 0) break;
          if (plain === 2 && (i + 1 === contentEnd || input[i + 1] === CR)) break;
          out[written++] = input[i] as number;
        }
        column += i - from;
        if (i === contentEnd) break;
      }
      const byte = input[i] as number;
      let width = widthAt(input, i, contentEnd);
      // A piece holds whole characters and escapes, up to 75 columns and the "=" of the break.
      if (cutting && column + width > QP_LINE_LENGTH - 1) {
        out[written++] = EQUALS;
        out[written++] = CR;
        out[written++] = LF;
        column = 0;
        cutting = i < fits;
      }
      if (column === 0 && byte === DOT) {
        // =2E, 2 columns more than `fits` counted: the rest may no longer fit on this line.
        width = 3;
        if (!cutting) cutting = widthOf(input, i, contentEnd) + 2 > QP_LINE_LENGTH;
      }
      if (width === 1) {
        out[written++] = byte;
      } else {
        out[written++] = EQUALS;
        out[written++] = HEX[byte >> 4] as number;
        out[written++] = HEX[byte & 15] as number;
      }
      column += width;
    }
    if (!hasBreak) break;
    out[written++] = CR;
    out[written++] = LF;
    start = end + 1;
  }
  return Buffer.from(out.subarray(0, written));
}
