// A file many processes change safely: each change takes a cross-process lock (proper-lockfile),
// re-reads the file, and replaces it atomically (write-file-atomic: temp file, fsync, rename), so
// no update is lost and a crash leaves the old file or the new one, never half of one.
import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { PaperboyError } from '../errors.js';

export interface LockedFileOptions {
  path: string;
  /** How the file is named in messages. */
  label: string;
  /**
   * A lock not refreshed for this long belongs to a process that died and is taken over
   * (default 10 s; proper-lockfile's minimum is 2 s). The holder refreshes it every stale/2.
   */
  staleMs?: number;
  /**
   * How long to wait for the lock before giving up. Default: 20 s, and at least 2 × stale, so
   * that a lock left by a dead process is taken over rather than reported.
   */
  waitMs?: number;
}

export const DEFAULT_LOCK_STALE_MS = 10_000;

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
}

/** The file's text, or null when it does not exist. */
export async function readTextFile(path: string, label: string): Promise<string | null> {
  try {
    // Not readFile(path, 'utf8'): that decodes chunk by chunk and joins the pieces, and the first
    // JSON.parse or regular expression then copies them into one string: twice the file's size
    // in memory, 50 MB for 100,000 subscribers.
    return (await readFile(path)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PaperboyError('store', `could not read ${label} (${errorCode(error)})`, {
      cause: error,
    });
  }
}

/** How much of a file readTextPieces reads at a time. */
const PIECE_BYTES = 1 << 16;

/**
 * The file's text a piece at a time (each decoded on its own, a character cut between two pieces
 * going to the second), handed to `onPiece` until it returns false. Resolves to true when the
 * whole file was read, false when `onPiece` stopped it, null when the file does not exist. The
 * file is read as it was when opened, even if a writer renames a new one over it meanwhile.
 */
export async function readTextPieces(
  path: string,
  label: string,
  onPiece: (text: string) => boolean,
  pieceBytes = PIECE_BYTES,
): Promise<boolean | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PaperboyError('store', `could not read ${label} (${errorCode(error)})`, {
      cause: error,
    });
  }
  try {
    const buffer = Buffer.alloc(pieceBytes);
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return onPiece(decoder.end());
      if (!onPiece(decoder.write(buffer.subarray(0, bytesRead)))) return false;
    }
  } catch (error) {
    throw new PaperboyError('store', `could not read ${label} (${errorCode(error)})`, {
      cause: error,
    });
  } finally {
    await handle.close();
  }
}

/**
 * write-file-atomic fsyncs the file before the rename; the rename itself is only durable once the
 * folder is synced too (power loss, not just a crash). Some platforms cannot open a folder; the
 * rename is still atomic there.
 */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: see above.
  }
}

async function acquireLock(options: LockedFileOptions, onCompromised: (error: Error) => void) {
  const stale = Math.max(options.staleMs ?? DEFAULT_LOCK_STALE_MS, 2000);
  const waitMs = options.waitMs ?? Math.max(20_000, 2 * stale);
  // Short, jittered retries: 20+ processes each hold the lock for a few milliseconds.
  const maxTimeout = 100;
  try {
    return await lockfile.lock(options.path, {
      realpath: false,
      lockfilePath: `${options.path}.lock`,
      stale,
      retries: {
        retries: Math.ceil(waitMs / maxTimeout),
        minTimeout: 5,
        maxTimeout,
        factor: 1.5,
        randomize: true,
      },
      onCompromised,
    });
  } catch (error) {
    const busy = errorCode(error) === 'ELOCKED';
    throw new PaperboyError(
      'store',
      busy
        ? `could not lock ${options.label}: another paperboy is writing it (waited ${Math.round(waitMs / 1000)} s)`
        : `could not lock ${options.label} (${errorCode(error)})`,
      {
        hint: busy
          ? `try again; a lock left by a paperboy that died (${options.label}.lock) is taken over after ${Math.round(stale / 1000)} s`
          : `check that the folder of ${options.label} is writable`,
        cause: error,
      },
    );
  }
}

/**
 * Locks the file, reads it (null when missing) and hands the text to `change`; writes the text
 * `change` returns, if any and if different, then unlocks. Whatever `change` throws, the file is
 * left as it was. The first write creates the file and its folder.
 */
export async function updateLockedFile<T>(
  options: LockedFileOptions,
  change: (
    text: string | null,
  ) => { text?: string; result: T } | Promise<{ text?: string; result: T }>,
): Promise<T> {
  const { path, label } = options;
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw new PaperboyError(
      'store',
      `could not create the folder of ${label} (${errorCode(error)})`,
      {
        cause: error,
      },
    );
  }
  let compromised: Error | undefined;
  const release = await acquireLock(options, (error) => {
    // proper-lockfile's default throws from a timer and kills the process; failing the write
    // is enough: nothing has been written yet if this happens before the rename.
    compromised = error;
  });
  try {
    const before = await readTextFile(path, label);
    const { text, result } = await change(before);
    if (text !== undefined && text !== before) {
      if (compromised) {
        throw new PaperboyError('store', `lost the lock on ${label} (${compromised.message})`, {
          hint: 'nothing was written; run the command again',
        });
      }
      try {
        await writeFileAtomic(path, text, { fsync: true });
      } catch (error) {
        throw new PaperboyError('store', `could not write ${label} (${errorCode(error)})`, {
          hint: 'the file was left as it was',
          cause: error,
        });
      }
      await syncFolder(dirname(path));
    }
    return result;
  } finally {
    // A compromised lock may already be gone; there is nothing left to release then.
    await release().catch(() => undefined);
  }
}
