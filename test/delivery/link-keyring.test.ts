import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveKeyring } from '../../src/delivery/link-keyring.js';
import { createToken, verifyToken } from '../../src/tokens/link-token.js';

const dataDir = () => join(mkdtempSync(join(tmpdir(), 'paperboy-keys-')), 'data');

describe('the keys that sign the links', () => {
  it('uses PAPERBOY_SECRET, with rotation', async () => {
    const env = { PAPERBOY_SECRET: 'k2:new-secret-0123456789,k1:old-secret-0123456789' };
    const { keyring, warning } = await resolveKeyring('smtp', dataDir(), env);
    expect(warning).toBeNull();
    expect(keyring.current.id).toBe('k2');
  });

  it('refuses SMTP without PAPERBOY_SECRET, and a secret too short to be safe (exit 5)', async () => {
    await expect(resolveKeyring('smtp', dataDir(), {})).rejects.toMatchObject({ kind: 'config' });
    await expect(
      resolveKeyring('outbox', dataDir(), { PAPERBOY_SECRET: 'short' }),
    ).rejects.toMatchObject({ kind: 'config', message: expect.not.stringContaining('short:') });
  });

  it('makes a local secret for the outbox once (mode 0600) and keeps using it', async () => {
    const dir = dataDir();
    const first = await resolveKeyring('outbox', dir, {});
    expect(first.warning).toMatch(/created a local secret/);
    expect(statSync(join(dir, 'secret')).mode & 0o777).toBe(0o600);
    const second = await resolveKeyring('outbox', dir, {});
    expect(second.warning).toMatch(/local secret/);
    const token = createToken(first.keyring, 'unsubscribe', 'sub_1');
    expect(verifyToken(second.keyring, 'unsubscribe', token)).toBe('sub_1');
    expect(readFileSync(join(dir, 'secret'), 'utf8').trim()).toBe(first.keyring.current.secret);
  });

  it('writes nothing for a dry run', async () => {
    const dir = dataDir();
    await resolveKeyring('dry-run', dir, {});
    expect(() => statSync(dir)).toThrow();
  });
});
