// The send ledger: one line per event, per issue, in <dataDir>/ledger/<date>.jsonl. Appending
// lines is the only write, so a crash loses at most the lines not yet written, never earlier ones;
// lines are written together right before each attempt starts (LedgerWriter.committed), so what a
// crash can lose is outcomes since then, whose messages a rerun sends again (as it does those in
// flight). The state of a delivery is its last line. Reruns read it to send only what is not yet
// sent.
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { PaperboyError } from '../errors.js';
import { cutTornLine } from './cut-torn-line.js';

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
  /**
   * `sending`/`sent`: the segment whose email it was, so the send history can be recorded for
   * what was really sent, even by an earlier run of the issue.
   */
  segmentId?: string;
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

/** What a rerun needs to know about one delivery: a few fields of its latest entry. */
export interface PriorDelivery {
  state: DeliveryState;
  segmentId?: string;
  reason?: string;
}

function damaged(path: string, line: number): PaperboyError {
  return new PaperboyError('store', `${path}:${line}: not a ledger entry`, {
    hint: 'the ledger is append-only; restore it or move it away to start the issue over',
  });
}

/**
 * The latest state of every delivery in the ledger at `path` (none when it does not exist), read
 * line by line, so a rerun of a large issue does not hold the whole file. A torn last line is
 * ignored, as in readLedger.
 */
export async function readPriorDeliveries(path: string): Promise<Map<string, PriorDelivery>> {
  const prior = new Map<string, PriorDelivery>();
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let torn: number | null = null;
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      if (line.trim() === '') continue;
      if (torn !== null) throw damaged(path, torn);
      let entry: LedgerEntry;
      try {
        entry = JSON.parse(line) as LedgerEntry;
      } catch {
        // Only the last line can be half-written by a crash; decided when the next one comes.
        torn = number;
        continue;
      }
      if (
        typeof entry?.subscriberId !== 'string' ||
        !(DELIVERY_STATES as readonly string[]).includes(entry.state)
      ) {
        throw damaged(path, number);
      }
      const { state, segmentId, reason } = entry;
      prior.set(entry.subscriberId, {
        state,
        ...(segmentId ? { segmentId } : {}),
        ...(reason ? { reason } : {}),
      });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return prior;
    if (error instanceof PaperboyError) throw error;
    throw new PaperboyError(
      'store',
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`,
      { cause: error },
    );
  }
  return prior;
}

export interface LedgerWriter {
  /**
   * Adds an entry. It reaches the file at the next `commit` (or on its own once enough entries
   * wait), so a burst of outcomes costs one write, not one each.
   */
  append(entry: LedgerEntry): void;
  /** Writes the entries appended so far. */
  commit(): void;
  /**
   * Resolves once the entries appended so far are written. The callers of one turn of the event
   * loop share one write, at the end of the turn (setImmediate). The delivery loop awaits it
   * before every attempt: the `sending` entry is on disk before the message can be, and the
   * attempts that 20 connections start in one turn cost one write, not one each (a write was about
   * 18 µs of the main thread per message at 100k, profiled). Rejects when the write fails.
   */
  committed(): Promise<void>;
  /** Commits and fsyncs: called at the end of a run and on a signal. */
  flush(): void;
  close(): void;
}

/** Entries waiting beyond this many characters are written without waiting for a commit. */
const PENDING_LIMIT = 64 * 1024;

/** Opens the ledger for appending (O_APPEND: each write lands whole at the end). */
export function openLedger(path: string): LedgerWriter {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a+');
  cutTornLine(fd);
  let closed = false;
  let pending = '';
  let turn: Promise<void> | null = null;
  const commit = () => {
    if (pending === '' || closed) return;
    const lines = pending;
    pending = '';
    writeSync(fd, lines);
  };
  return {
    append(entry) {
      pending += `${JSON.stringify(entry)}\n`;
      if (pending.length > PENDING_LIMIT) commit();
    },
    commit,
    committed() {
      turn ??= new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          turn = null;
          try {
            commit();
            resolve();
          } catch (error) {
            reject(error);
          }
        }),
      );
      return turn;
    },
    flush() {
      commit();
      if (!closed) fsyncSync(fd);
    },
    close() {
      if (closed) return;
      try {
        commit();
        fsyncSync(fd);
      } finally {
        // A failed write or fsync is reported, and the descriptor is not left open.
        closed = true;
        closeSync(fd);
      }
    },
  };
}
