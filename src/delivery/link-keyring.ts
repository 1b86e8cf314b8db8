// The keys that sign the unsubscribe and preference links. PAPERBOY_SECRET is the real one: the
// web endpoints verify with it, so `send` refuses SMTP without it. The outbox may run on a fresh
// machine with nothing set up, so it makes a local secret once and keeps it (mode 0600); links in
// those files only verify where that same secret is configured, which the warning says.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PaperboyError } from '../errors.js';
import { type Keyring, parseKeyring } from '../tokens/link-token.js';
import type { TransportKind } from './transport.js';

export const SECRET_FILE = 'secret';

export interface ResolvedKeyring {
  keyring: Keyring;
  /** Said on stderr when the keys are not PAPERBOY_SECRET. */
  warning: string | null;
}

const GENERATE_HINT =
  'make one with `openssl rand -base64 32` and keep it where the unsubscribe and preference pages run too';

function parse(value: string, where: string): Keyring {
  try {
    return parseKeyring(value);
  } catch (error) {
    // parseKeyring's messages name key ids and lengths, never the secret itself.
    throw new PaperboyError('config', `${where}: ${(error as Error).message}`, {
      hint: GENERATE_HINT,
    });
  }
}

async function readSecret(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PaperboyError(
      'store',
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

/** A new local secret, written only if no other run wrote one first (then that one is used). */
async function createSecret(path: string): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return (await readSecret(path)) ?? secret;
    throw new PaperboyError('store', `${path}: cannot be written (${code})`);
  }
}

export async function resolveKeyring(
  kind: TransportKind,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedKeyring> {
  const fromEnv = env.PAPERBOY_SECRET;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { keyring: parse(fromEnv, 'PAPERBOY_SECRET'), warning: null };
  }
  if (kind === 'smtp') {
    throw new PaperboyError(
      'config',
      'PAPERBOY_SECRET is not set: the unsubscribe links of real emails must be signed with it',
      { hint: `set PAPERBOY_SECRET; ${GENERATE_HINT}` },
    );
  }
  const path = join(dataDir, SECRET_FILE);
  const existing = await readSecret(path);
  if (existing !== null) {
    return {
      keyring: parse(existing, path),
      warning: `PAPERBOY_SECRET is not set: links are signed with the local secret in ${path}`,
    };
  }
  if (kind === 'dry-run') {
    // A dry run writes nothing: a throwaway key signs links nobody will click.
    return { keyring: parse(randomBytes(32).toString('base64url'), 'secret'), warning: null };
  }
  const created = await createSecret(path);
  return {
    keyring: parse(created, path),
    warning: `PAPERBOY_SECRET is not set: created a local secret in ${path} (mode 0600) to sign the links; the unsubscribe and preference pages only accept them with PAPERBOY_SECRET set to it`,
  };
}
