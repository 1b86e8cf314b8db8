import { describe, expect, it } from 'vitest';
import { createUtf8Scratch } from '../../src/delivery/utf8-scratch.js';

describe('createUtf8Scratch', () => {
  it("gives a string's UTF-8 bytes exactly, growing for longer text and reusing its buffer", () => {
    const utf8 = createUtf8Scratch(16);
    // One-, two-, three- and four-byte characters, a lone surrogate, and text past the buffer.
    const texts = [
      'plain',
      'Über',
      '中文 · —',
      '🚀🚀',
      'broken \ud800 pair',
      'x'.repeat(100_000),
      '',
    ];
    for (const text of texts) {
      expect(Buffer.compare(utf8(text), Buffer.from(text, 'utf8')), text.slice(0, 20)).toBe(0);
    }
    // Only valid until the next call: the bytes live in one reused buffer.
    const first = utf8('first');
    utf8('other');
    expect(first.toString()).toBe('other');
  });
});
