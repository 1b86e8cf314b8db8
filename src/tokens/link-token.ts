// Signed tokens for the unsubscribe and preference links. The token is the capability: whoever
// holds a subscriber's link may change that subscriber's settings, so it must be unforgeable.
//
//   <key id>.<subscriber id>.<signature>      e.g. k1.sub_9f2c1a7e5b03d861.Qm9i...
//
// signature = base64url(HMAC-SHA256(secret of key id, "<purpose>:<subscriber id>")), full 256 bits.
// Tokens do not expire (a link in a years-old email must still unsubscribe); rotating the secret
// adds a new key id while older keys keep verifying until they are retired.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOKEN_PURPOSES = ['unsubscribe', 'preferences'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

export interface SigningKey {
  /** Short and URL-safe: `k1`, `2026a`. */
  id: string;
  secret: string;
}

/** The signing keys: the first signs new links, every one verifies. */
export interface Keyring {
  current: SigningKey;
  all: readonly SigningKey[];
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const SUBSCRIBER_ID = /^[A-Za-z0-9_-]{1,64}$/;

function sign(key: SigningKey, purpose: TokenPurpose, subscriberId: string): Buffer {
  return createHmac('sha256', key.secret).update(`${purpose}:${subscriberId}`).digest();
}

export function createToken(keyring: Keyring, purpose: TokenPurpose, subscriberId: string): string {
  if (!SUBSCRIBER_ID.test(subscriberId)) throw new Error(`not a subscriber id: ${subscriberId}`);
  const signature = sign(keyring.current, purpose, subscriberId).toString('base64url');
  return `${keyring.current.id}.${subscriberId}.${signature}`;
}

/**
 * The subscriber id a token was signed for, or null for a tampered, malformed or unknown-key
 * token. The comparison takes the same time whatever the signature's content.
 */
export function verifyToken(keyring: Keyring, purpose: TokenPurpose, token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [keyId, subscriberId, signature] = parts as [string, string, string];
  if (!KEY_ID.test(keyId) || !SUBSCRIBER_ID.test(subscriberId)) return null;
  const key = keyring.all.find((candidate) => candidate.id === keyId);
  if (!key) return null;
  const expected = sign(key, purpose, subscriberId);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length) return null;
  return timingSafeEqual(given, expected) ? subscriberId : null;
}

/**
 * Reads keys from a secret setting: one secret (`PAPERBOY_SECRET=s3cret`, key id `k1`), or a
 * comma-separated list of `id:secret`, newest first (`k2:new-secret,k1:old-secret`).
 */
export function parseKeyring(value: string): Keyring {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('the secret is empty');
  const keys = entries.map((entry, index): SigningKey => {
    const colon = entry.indexOf(':');
    if (colon < 0) {
      if (entries.length > 1) throw new Error(`key ${index + 1} has no id: write id:secret`);
      return { id: 'k1', secret: entry };
    }
    const id = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) throw new Error(`key id "${id}" must be 1-32 letters, digits, _ or -`);
    return { id, secret };
  });
  for (const key of keys) {
    if (key.secret.length < 16)
      throw new Error(`the secret of key ${key.id} is shorter than 16 characters`);
  }
  const ids = new Set(keys.map((key) => key.id));
  if (ids.size !== keys.length) throw new Error('two keys share an id');
  return { current: keys[0] as SigningKey, all: keys };
}
