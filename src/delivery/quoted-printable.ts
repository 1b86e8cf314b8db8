// Quoted-printable (RFC 2045 §6.7) for the bodies of a segment's MIME, which are encoded once per
// segment: with thousands of segments that encoding is on the hot path, and nodemailer's encoder
// (a JavaScript loop over every byte, then a regular-expression line wrapper) managed about
// 20 MB/s. Here the characters that need escaping are found by one native regular expression and
// lines are cut with string slices: the same encoding as nodemailer's `encode` (a test holds it
// character for character to it), wrapped at 76 columns with soft line breaks.

/**
 * What must be escaped besides "=": anything but tab, CR, LF and printable ASCII, and a space
 * or tab right before a line break or at the very end (it would be read as padding). The `u` flag
 * makes a non-ASCII character (a surrogate pair included) one match.
 */
const ESCAPE = /[^\t\r\n\x20-\x7e]|[\t ](?=[\r\n]|$)/gu;

/** A character's UTF-8 bytes as =XX escapes (encodeURIComponent gives them natively, as %XX). */
function escapeBytes(char: string): string {
  try {
    return encodeURIComponent(char).replaceAll('%', '=');
  } catch {
    // A lone surrogate: UTF-8 has no bytes for it; Buffer writes U+FFFD, as nodemailer does.
    return '=EF=BF=BD';
  }
}

/** Encodes text (as UTF-8) without wrapping; line breaks stay as they are. */
export function encodeQuotedPrintable(text: string): string {
  // "=" first, without a callback: HTML is full of them (every attribute).
  return text.replaceAll('=', '=3D').replace(ESCAPE, escapeBytes);
}

/** The longest line, without its CRLF. */
export const QP_LINE_LENGTH = 76;

/**
 * Cuts lines longer than 76 characters with soft line breaks ("=" CRLF), never inside an "=XX"
 * escape (in encoded text every "=" starts one).
 */
export function wrapQuotedPrintable(encoded: string): string {
  const lines = encoded.split('\r\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length <= QP_LINE_LENGTH) continue;
    const pieces: string[] = [];
    let from = 0;
    while (line.length - from > QP_LINE_LENGTH) {
      let cut = from + QP_LINE_LENGTH - 1;
      if (line[cut - 1] === '=') cut -= 1;
      else if (line[cut - 2] === '=') cut -= 2;
      pieces.push(`${line.slice(from, cut)}=`);
      from = cut;
    }
    pieces.push(line.slice(from));
    lines[i] = pieces.join('\r\n');
  }
  return lines.join('\r\n');
}
