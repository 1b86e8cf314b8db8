// A string's UTF-8 bytes written into a buffer that is reused, for text converted on the hot path
// only to be read once (encoded, or written to a file). Buffer.from(text) first measures the
// string in a pass of its own and then allocates: on the rendered pages (mostly two-byte strings,
// for a curly quote or a dash in a paper's text) it manages about 280 MB/s, writing into a buffer
// that is already large enough about 750 MB/s (measured, Node 20).

/** UTF-16 code units take at most 3 bytes each in UTF-8 (a surrogate pair: 4 for 2 units). */
const MOST_BYTES_PER_UNIT = 3;

/**
 * A converter with its own buffer: each call returns `text`'s UTF-8 bytes, valid until the
 * converter's next call.
 */
export function createUtf8Scratch(initialBytes = 64 * 1024): (text: string) => Buffer {
  const joined = createUtf8Joiner(initialBytes);
  return (text) => joined([text]);
}

/**
 * createUtf8Scratch for text in parts: the parts' bytes one after another, as if joined, without
 * the joined string (which `a + b` builds as a rope, and V8 flattens into a new string before
 * converting it).
 */
export function createUtf8Joiner(initialBytes = 64 * 1024): (parts: readonly string[]) => Buffer {
  let scratch = Buffer.allocUnsafeSlow(initialBytes);
  return (parts) => {
    let units = 0;
    for (const part of parts) units += part.length;
    const most = units * MOST_BYTES_PER_UNIT;
    if (scratch.length < most) scratch = Buffer.allocUnsafeSlow(Math.ceil(most * 1.25));
    let length = 0;
    for (const part of parts) length += scratch.write(part, length, 'utf8');
    return scratch.subarray(0, length);
  };
}
