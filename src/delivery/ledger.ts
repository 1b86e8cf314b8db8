// The send ledger: one line per event, per issue, in <dataDir>/ledger/<date>.jsonl. Appending a
// line is the only write, so a crash loses at most the line being written, never earlier ones;
// the state of a delivery is its last line. Reruns read it to send only what is not yet sent.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PaperboyError } from '../errors.js';

export const DELIVERY_STATES = ['sending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface LedgerEntry {
  /** ISO time of the event. */
  at: string;
  subscriberId: string;
  email: string;
  state: DeliveryState;
  /** `sending`/`sent`: the Message-ID; a resend of the same issue reuses it. */
  messageId?: string;
  /** 1-based attempt within the run (`sending`, `failed`). */
  attempt?: number;
  /** `failed`: the SMTP code and reply, and whether it was permanent. */
  code?: number | null;
  response?: string;
  permanent?: boolean;
  /** `skipped`: why (unsubscribed, bounced, weekly-not-today, nothing-matched, ...). */
  reason?: string;
}

export function ledgerPath(dataDir: string, date: string): string {
  return join(dataDir, 'ledger', `${date}.jsonl`);
}

/** Reads every entry; a torn last line (a crash mid-write) is ignored, anything else is an error. */
export async function readLedger(path: string): Promise<LedgerEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new PaperboyError(
      'store',
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  const lines = text.split('\n');
  const entries: LedgerEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as LedgerEntry);
    } catch {
      // Only the last line can be half-written by a crash; a bad line elsewhere is damage.
      const isLast = lines.slice(index + 1).every((rest) => rest.trim() === '');
      if (!isLast) {
        throw new PaperboyError('store', `${path}:${index + 1}: not a ledger entry`, {
          hint: 'the ledger is append-only; restore it or move it away to start the issue over',
        });
      }
    }
  });
  return entries;
}

/** The latest entry per subscriber: what the ledger says about each delivery now. */
export function latestStates(entries: readonly LedgerEntry[]): Map<string, LedgerEntry> {
  const latest = new Map<string, LedgerEntry>();
  for (const entry of entries) latest.set(entry.subscriberId, entry);
  return latest;
}

export interface LedgerWriter {
  append(entry: LedgerEntry): void;
  /** fsync: called at the end of a run and on a signal. */
  flush(): void;
  close(): void;
}

/** Opens the ledger for appending (O_APPEND: each line lands whole at the end). */
export function openLedger(path: string): LedgerWriter {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  let closed = false;
  return {
    append(entry) {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    },
    flush() {
      if (!closed) fsyncSync(fd);
    },
    close() {
      if (closed) return;
      fsyncSync(fd);
      closeSync(fd);
      closed = true;
    },
  };
}
