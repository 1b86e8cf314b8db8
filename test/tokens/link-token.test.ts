import { describe, expect, it } from 'vitest';
import { createToken, parseKeyring, verifyToken } from '../../src/tokens/link-token.js';

const ring = parseKeyring('k2:second-secret-0123456789,k1:first-secret-0123456789');
const old = parseKeyring('k1:first-secret-0123456789');
const other = parseKeyring('k2:someone-elses-secret-987654');

describe('link tokens', () => {
  it('round-trip the subscriber id, per purpose', () => {
    const token = createToken(ring, 'unsubscribe', 'sub_9f2c1a7e5b03d861');
    expect(token).toMatch(/^k2\.sub_9f2c1a7e5b03d861\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(ring, 'unsubscribe', token)).toBe('sub_9f2c1a7e5b03d861');
    expect(verifyToken(ring, 'preferences', token)).toBeNull();
  });

  it('old links keep working after the secret is rotated', () => {
    const before = createToken(old, 'unsubscribe', 'sub_1');
    expect(verifyToken(ring, 'unsubscribe', before)).toBe('sub_1');
  });

  it.each([
    ['another subscriber id', (t: string) => t.replace('sub_1', 'sub_2')],
    [
      'a flipped signature character',
      (t: string) => t.slice(0, -2) + (t.at(-2) === 'A' ? 'B' : 'A') + t.at(-1),
    ],
    ['a truncated signature', (t: string) => t.slice(0, -4)],
    ['an unknown key id', (t: string) => t.replace(/^k2/, 'k9')],
    ['extra parts', (t: string) => `${t}.x`],
    ['nothing', () => ''],
    ['garbage', () => 'not-a-token'],
  ])('rejects %s', (_name, tamper) => {
    expect(
      verifyToken(ring, 'unsubscribe', tamper(createToken(ring, 'unsubscribe', 'sub_1'))),
    ).toBeNull();
  });

  it('rejects a token signed with another secret under the same key id', () => {
    expect(verifyToken(ring, 'unsubscribe', createToken(other, 'unsubscribe', 'sub_1'))).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['short', /shorter than 16/],
    ['a-long-enough-secret,another-long-secret', /no id/],
    ['k1:a-long-enough-secret,k1:another-long-secret', /share an id/],
    ['bad id!:a-long-enough-secret', /key id/],
  ])('refuses the secret setting %j', (value, message) => {
    expect(() => parseKeyring(value)).toThrow(message);
  });

  it('a single secret is key k1', () => {
    expect(parseKeyring('a-long-enough-secret').current.id).toBe('k1');
  });
});
