// The PostgreSQL subscriber store (DATABASE_URL): the contract of src/stores/types.ts on the
// tables of migrations/1764201600000_subscribers.sql, behaving as the JSON file does: the same
// validation (check-input.ts), record rules (subscribers/record-changes.ts), outcomes and
// messages, with the database named where the file would be.
//
// It opens on first use, so callers get a store synchronously as they do the file's: the first
// call opens the pool and checks the schema (an error saying "run paperboy db migrate" when it is
// behind). Every change is one short transaction that locks the rows it reads (SELECT ... FOR
// UPDATE) before deciding, so two processes never lose an update. Two transactions adding the
// same new address cannot lock a row that does not exist yet: the unique key refuses the second
// insert, and the second transaction is run again from the start, when it sees the first's row.
import type pg from 'pg';
import { type Database, describeDatabaseUrl, isServerError, openDatabase } from '../db/database.js';
import { checkSchema } from '../db/migrate.js';
import { PaperboyError } from '../errors.js';
import { hashEmail, normalizeEmail } from '../subscribers/email.js';
import {
  alreadySubscribedError,
  changeStatus,
  createRecord,
  newSubscriberId,
  purgedSuppression,
  reactivate,
  suppressedError,
  unknownRefError,
} from '../subscribers/record-changes.js';
import { checkWholeList, notEmptyError, type WholeList } from '../subscribers/whole-list.js';
import { SUBSCRIBER_STATUSES, type Subscriber, type SubscriberStatus } from '../types.js';
import { applyPatch, checkEntries, checkEntry, sameSettings } from './check-input.js';
import {
  fromRow,
  fromSuppressionRow,
  insertSubscribers,
  SUBSCRIBER_COLUMNS,
  SUBSCRIBER_ORDER,
  SUPPRESSION_COLUMNS,
  type SubscriberRow,
  type SuppressionRow,
  updateSubscribers,
  upsertSuppressions,
} from './postgres-rows.js';
import type { Suppression } from './subscriber-schema.js';
import type {
  ImportResult,
  ListFilter,
  RemoveResult,
  SubscriberPatch,
  SubscriberStore,
} from './types.js';

export type PostgresStoreOptions = (
  | {
      /** Opened on first use; close() ends the pool. */
      url: string;
      db?: undefined;
    }
  | {
      /** A pool the caller owns (and ends): used as it is. */
      db: Database;
      url?: undefined;
    }
) & {
  /** The known topic ids: a subscriber's topics must be among them. */
  topicIds: readonly string[];
  /** How the database is named in messages (default: the URL without its password). */
  label?: string;
  /** The clock, for tests. */
  now?: () => Date;
  /** Subscribers a scan reads per statement (default 5,000; smaller in tests, to see pages). */
  scanPage?: number;
};

export type PostgresStore = SubscriberStore & WholeList;

/** unique_violation, serialization_failure, deadlock_detected: run the transaction again. */
const RETRIED_CODES = new Set(['23505', '40001', '40P01']);
const ATTEMPTS = 5;

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True for failures of the database rather than of a statement: no connection (a system error
 * such as ECONNREFUSED, or the connection dropped), a server shutting down or out of resources
 * (SQLSTATE classes 08, 53, 57, 58), a refused login (28), no such database (3D).
 */
function isUnavailable(error: unknown): boolean {
  if (isServerError(error)) return /^(08|53|57|58|28|3D)/.test(error.code ?? '');
  const code = errorCode(error);
  if (code !== undefined) return !code.startsWith('ERR_');
  return /Connection terminated|connection timeout|connection error/i.test(
    (error as Error)?.message ?? '',
  );
}

export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const { topicIds } = options;
  const label =
    options.label ??
    (options.url !== undefined ? describeDatabaseUrl(options.url) : 'the PostgreSQL database');
  const now = options.now ?? (() => new Date());
  const stamp = () => now().toISOString();
  const scanPage = options.scanPage ?? 5000;

  /** PaperboyErrors as they are; an unusable database as a 'store' error; anything else is a bug. */
  function failure(error: unknown): unknown {
    if (error instanceof PaperboyError || !isUnavailable(error)) return error;
    // The server's refusal by what it said, a system error by its code (ECONNREFUSED).
    const reason = isServerError(error)
      ? error.message
      : (errorCode(error) ?? (error as Error).message);
    return new PaperboyError('store', `cannot use the database at ${label} (${reason})`, {
      hint: 'check DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running',
      cause: error,
    });
  }

  let opening: Promise<Database> | null = null;

  async function open(): Promise<Database> {
    const db = options.db ?? (await openDatabase(options.url, { name: 'paperboy' }));
    try {
      await checkSchema(db);
    } catch (error) {
      if (!options.db) await db.end().catch(() => {});
      throw failure(error);
    }
    return db;
  }

  /** The pool, opened and checked by the first call; a failed opening is tried again next time. */
  function database(): Promise<Database> {
    opening ??= open().catch((error: unknown) => {
      opening = null;
      throw error;
    });
    return opening;
  }

  async function query<Row extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<Row[]> {
    const db = await database();
    try {
      return (await db.query<Row>(sql, params)).rows;
    } catch (error) {
      throw failure(error);
    }
  }

  /**
   * Runs `work` in a transaction on one connection: committed when it returns, rolled back when
   * it throws (and run again, from the start, after a unique violation or a deadlock).
   */
  async function transaction<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    begin = 'BEGIN',
  ): Promise<T> {
    const db = await database();
    let client: pg.PoolClient;
    try {
      client = await db.connect();
    } catch (error) {
      throw failure(error);
    }
    let broken: Error | undefined;
    // A connection lost between two statements is reported here, not as an unhandled 'error'
    // event (which would end the process); the next statement then fails.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(begin);
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
          if (broken || attempt === ATTEMPTS || !RETRIED_CODES.has(errorCode(error) ?? '')) {
            throw failure(error);
          }
        }
      }
    } finally {
      client.off('error', onError);
      // A broken connection is closed rather than given back to the pool.
      client.release(broken);
    }
  }

  /** The record named by id or address (case-insensitively), locked until the transaction ends. */
  async function lockRef(client: pg.ClientBase, ref: string): Promise<Subscriber | null> {
    // An id never contains "@", an address always does: at most one row matches.
    const { rows } = await client.query<SubscriberRow>(
      `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = $1 OR email_key = $2 FOR UPDATE`,
      [ref.trim(), normalizeEmail(ref)],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async function lockPurged(client: pg.ClientBase, email: string): Promise<Suppression | null> {
    const { rows } = await client.query<SuppressionRow>(
      `SELECT ${SUPPRESSION_COLUMNS} FROM purged_suppressions WHERE email_sha256 = $1 FOR UPDATE`,
      [hashEmail(email)],
    );
    return rows[0] ? fromSuppressionRow(rows[0]) : null;
  }

  async function deletePurged(client: pg.ClientBase, hashes: string[]): Promise<void> {
    if (hashes.length === 0) return;
    await client.query('DELETE FROM purged_suppressions WHERE email_sha256 = ANY($1::text[])', [
      hashes,
    ]);
  }

  /** A record of its own: its id is checked by the primary key (a taken one retries). */
  function newRecord(
    settings: Parameters<typeof createRecord>[1],
    status: SubscriberStatus,
  ): Subscriber {
    return createRecord(newSubscriberId(), settings, status, stamp());
  }

  /** Locks the record, lets `change` edit it, writes it if `change` says it changed. */
  function changeRecord<T>(
    ref: string,
    change: (subscriber: Subscriber) => { changed: boolean; result: T },
  ): Promise<T> {
    return transaction(async (client) => {
      const subscriber = await lockRef(client, ref);
      if (!subscriber) throw unknownRefError(ref);
      const { changed, result } = change(subscriber);
      if (changed) await updateSubscribers(client, [subscriber]);
      return result;
    });
  }

  return {
    async changeToken() {
      const [row] = await query<{ counter: string }>('SELECT counter FROM subscriber_changes');
      return `pg:${row?.counter ?? 'none'}`;
    },

    async list(filter: ListFilter = {}) {
      const conditions: string[] = [];
      const params: string[] = [];
      if (filter.status) {
        params.push(filter.status);
        conditions.push(`status = $${params.length}`);
      }
      if (filter.topic) {
        params.push(filter.topic);
        conditions.push(`(all_topics OR $${params.length} = ANY(topics))`);
      }
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      const rows = await query<SubscriberRow>(
        `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers ${where} ${SUBSCRIBER_ORDER}`,
        params,
      );
      return rows.map(fromRow);
    },

    async scan(visit) {
      // A page at a time, by id (the primary key), so a large list is never whole in memory.
      let after = '';
      for (;;) {
        const rows = await query<SubscriberRow>(
          `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE id > $1 ORDER BY id LIMIT $2`,
          [after, scanPage],
        );
        for (const row of rows) visit(fromRow(row));
        const last = rows[rows.length - 1];
        if (!last || rows.length < scanPage) return;
        after = last.id;
      }
    },

    async get(ref) {
      const [row] = await query<SubscriberRow>(
        `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = $1 OR email_key = $2`,
        [ref.trim(), normalizeEmail(ref)],
      );
      return row ? fromRow(row) : null;
    },

    async add(input, addOptions = {}) {
      const { status: _ignored, ...settings } = checkEntry(
        { ...input, status: 'active' },
        topicIds,
        input.email?.trim() || 'new subscriber',
      );
      return transaction(async (client) => {
        const current = await lockRef(client, settings.email);
        if (current) {
          if (current.status === 'active') throw alreadySubscribedError(settings.email, current);
          if (!addOptions.resubscribe) throw suppressedError(settings.email, current, null);
          reactivate(current, settings, stamp());
          await updateSubscribers(client, [current]);
          return current;
        }
        const purged = await lockPurged(client, settings.email);
        if (purged) {
          if (!addOptions.resubscribe) throw suppressedError(settings.email, null, purged);
          await deletePurged(client, [purged.emailSha256]);
        }
        const created = newRecord(settings, 'active');
        await insertSubscribers(client, [created]);
        return created;
      });
    },

    async update(ref, patch: SubscriberPatch | ((current: Subscriber) => SubscriberPatch)) {
      return changeRecord(ref, (subscriber) => {
        const changes = typeof patch === 'function' ? patch(structuredClone(subscriber)) : patch;
        const settings = applyPatch(subscriber, changes, topicIds);
        if (sameSettings(settings, subscriber)) return { changed: false, result: subscriber };
        Object.assign(subscriber, settings, { email: subscriber.email, updatedAt: stamp() });
        return { changed: true, result: subscriber };
      });
    },

    async setStatus(ref, status) {
      if (!SUBSCRIBER_STATUSES.includes(status)) {
        throw new PaperboyError(
          'invalidInput',
          `unknown status "${status}"; expected ${SUBSCRIBER_STATUSES.join(', ')}`,
        );
      }
      return changeRecord(ref, (subscriber) => ({
        changed: changeStatus(subscriber, status, stamp()),
        result: subscriber,
      }));
    },

    async remove(ref, removeOptions = {}) {
      return transaction(async (client): Promise<RemoveResult> => {
        const subscriber = await lockRef(client, ref);
        if (!subscriber) {
          if (ref.includes('@') && (await lockPurged(client, ref))) {
            return { outcome: 'unchanged', subscriber: null };
          }
          throw unknownRefError(ref);
        }
        if (removeOptions.purge) {
          await client.query('DELETE FROM subscribers WHERE id = $1', [subscriber.id]);
          await upsertSuppressions(client, [
            purgedSuppression(hashEmail(subscriber.email), subscriber, stamp()),
          ]);
          return { outcome: 'purged', subscriber };
        }
        if (subscriber.status !== 'active') return { outcome: 'unchanged', subscriber };
        changeStatus(subscriber, 'unsubscribed', stamp());
        await updateSubscribers(client, [subscriber]);
        return { outcome: 'unsubscribed', subscriber };
      });
    },

    async import(entries, importOptions = {}) {
      const valid = checkEntries(entries, topicIds);
      return transaction(async (client) => {
        // Every record the import names, locked in one order (two imports cannot deadlock).
        const keys = valid.map((entry) => normalizeEmail(entry.email));
        const { rows } = await client.query<SubscriberRow>(
          `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE email_key = ANY($1::text[])
           ${SUBSCRIBER_ORDER} FOR UPDATE`,
          [keys],
        );
        const byKey = new Map(rows.map((row) => [normalizeEmail(row.email), fromRow(row)]));
        const hashes = new Map(
          valid.flatMap((entry, index) =>
            byKey.has(keys[index] as string) ? [] : [[index, hashEmail(entry.email)] as const],
          ),
        );
        const purged = new Set(
          hashes.size === 0
            ? []
            : (
                await client.query<{ email_sha256: string }>(
                  `SELECT email_sha256 FROM purged_suppressions
                   WHERE email_sha256 = ANY($1::text[]) ORDER BY email_sha256 FOR UPDATE`,
                  [[...hashes.values()]],
                )
              ).rows.map((row) => row.email_sha256),
        );

        const created: Subscriber[] = [];
        const changed = new Set<Subscriber>();
        const unpurged: string[] = [];
        const results = valid.map(({ status, ...settings }, index): ImportResult => {
          const result = (outcome: ImportResult['outcome'], subscriber: Subscriber | null) => ({
            email: settings.email,
            outcome,
            id: subscriber?.id ?? null,
            status: subscriber?.status ?? null,
          });
          const current = byKey.get(keys[index] as string);
          if (current && current.status !== 'active') {
            if (status !== 'active' || !importOptions.resubscribe) {
              return result('suppressed', current);
            }
            reactivate(current, settings, stamp());
            changed.add(current);
            return result('resubscribed', current);
          }
          if (current) {
            if (!importOptions.overwrite) return result('unchanged', current);
            const settingsChanged = !sameSettings(settings, current);
            if (settingsChanged) {
              Object.assign(current, settings, { email: current.email, updatedAt: stamp() });
            }
            // An unsubscribe carried over from the other list is honoured.
            const statusChanged = changeStatus(current, status, stamp());
            if (!settingsChanged && !statusChanged) return result('unchanged', current);
            changed.add(current);
            return result('updated', current);
          }
          const hash = hashes.get(index) as string;
          if (purged.has(hash)) {
            if (status !== 'active' || !importOptions.resubscribe) {
              return result('suppressed', null);
            }
            unpurged.push(hash);
            const back = newRecord(settings, 'active');
            created.push(back);
            return result('resubscribed', back);
          }
          const added = newRecord(settings, status);
          created.push(added);
          return result('added', added);
        });
        await deletePurged(client, unpurged);
        await insertSubscribers(client, created);
        await updateSubscribers(client, [...changed]);
        return { results };
      });
    },

    async isSuppressed(email) {
      const [row] = await query<{ suppressed: boolean }>(
        `SELECT COALESCE(
           (SELECT status <> 'active' FROM subscribers WHERE email_key = $1),
           EXISTS (SELECT 1 FROM purged_suppressions WHERE email_sha256 = $2)
         ) AS suppressed`,
        [normalizeEmail(email), hashEmail(email)],
      );
      return row?.suppressed === true;
    },

    async readWholeList() {
      // One snapshot for both tables: a purge between the two reads cannot lose the address.
      return transaction(async (client) => {
        const subscribers = await client.query<SubscriberRow>(
          `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers ${SUBSCRIBER_ORDER}`,
        );
        const suppressions = await client.query<SuppressionRow>(
          `SELECT ${SUPPRESSION_COLUMNS} FROM purged_suppressions
             ORDER BY suppressed_at, email_sha256`,
        );
        return {
          subscribers: subscribers.rows.map(fromRow),
          suppressions: suppressions.rows.map(fromSuppressionRow),
        };
      }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    },

    async restoreWholeList(data) {
      const valid = checkWholeList(data, topicIds);
      return transaction(async (client) => {
        // Writers wait until the restore is done; readers see the list before or after it.
        await client.query('LOCK TABLE subscribers, purged_suppressions IN EXCLUSIVE MODE');
        const { rows } = await client.query<{ subscribers: number; suppressions: number }>(
          `SELECT (SELECT count(*) FROM subscribers)::int AS subscribers,
                  (SELECT count(*) FROM purged_suppressions)::int AS suppressions`,
        );
        const present = rows[0] ?? { subscribers: 0, suppressions: 0 };
        if (present.subscribers > 0 || present.suppressions > 0) {
          throw notEmptyError(label, present);
        }
        await insertSubscribers(client, valid.subscribers);
        await upsertSuppressions(client, valid.suppressions);
        return { subscribers: valid.subscribers.length, suppressions: valid.suppressions.length };
      });
    },

    async close() {
      const opened = opening;
      opening = null;
      if (!opened || options.db) return;
      const db = await opened.catch(() => null);
      await db?.end();
    },
  };
}
