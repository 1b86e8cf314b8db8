// One `send` per issue at a time: two runs reading the same ledger would both see a subscriber as
// not yet sent and both mail them. The run holds a proper-lockfile lock on the issue's ledger
// (a `<ledger>.lock` folder it refreshes) from before reading the ledger until after its last line.
//
// A run killed with -9 leaves its lock behind; it counts as abandoned once not refreshed for
// STALE_MS, and a new run waits that long rather than failing, so "rerun after a crash" just works.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { PaperboyError } from '../errors.js';

/** Refreshed every STALE_MS / 2; a run never blocks its event loop anywhere near that long. */
export const STALE_MS = 5000;

export interface IssueLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Called once when another process took the lock over (this run then stops). */
  onCompromised(error: Error): void;
  /** Called once when the lock is held by someone else and the run starts waiting. */
  onWait?(): void;
}

export async function lockIssue(ledgerFile: string, options: LockOptions): Promise<IssueLock> {
  await mkdir(dirname(ledgerFile), { recursive: true });
  const lockOptions = {
    realpath: false,
    lockfilePath: `${ledgerFile}.lock`,
    stale: STALE_MS,
    onCompromised: options.onCompromised,
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(ledgerFile, lockOptions);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw lockError(ledgerFile, error);
    options.onWait?.();
    try {
      // Long enough for an abandoned lock to go stale; a live run keeps refreshing it.
      release = await lockfile.lock(ledgerFile, {
        ...lockOptions,
        retries: { retries: 12, minTimeout: 250, maxTimeout: 1000, factor: 1.5 },
      });
    } catch (again) {
      throw lockError(ledgerFile, again);
    }
  }
  return {
    release: () => release().catch(() => undefined),
  };
}

function lockError(ledgerFile: string, error: unknown): PaperboyError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOCKED') {
    return new PaperboyError('busy', `another paperboy is sending this issue (${ledgerFile})`, {
      hint: 'wait for it to finish; running the same command afterwards sends only what it did not',
    });
  }
  return new PaperboyError('store', `${ledgerFile}: cannot be locked (${code ?? String(error)})`, {
    hint: 'check that the data folder is writable',
  });
}
