// The PostgreSQL connection: one pg.Pool per process, opened from DATABASE_URL. Everything that
// talks to PostgreSQL (the store, the ledger, the queue, the scheduler's coordinator) shares it.
// Errors that mean "cannot reach or use the database" become PaperboyError('store') with the
// address (never the password) and a hint; anything else is passed on.
import type pg from 'pg';
import { PaperboyError } from '../errors.js';

export type Database = pg.Pool;

/** postgres://user@host:port/db: the URL without its password, for messages and logs. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

/** A PaperboyError('config') unless `url` is a postgres:// or postgresql:// URL. */
export function checkDatabaseUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new PaperboyError('config', 'DATABASE_URL is not a valid URL', {
      hint: 'postgres://user:password@host:5432/paperboy',
    });
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new PaperboyError('config', `DATABASE_URL must be a postgres:// URL, not ${protocol}//`, {
      hint: 'postgres://user:password@host:5432/paperboy',
    });
  }
}

export interface OpenDatabaseOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** application_name, shown in pg_stat_activity (default "paperboy"). */
  name?: string;
}

/**
 * Opens a pool and makes one connection, so a wrong address or password is reported here, once,
 * rather than by whichever query comes first.
 */
export async function openDatabase(
  url: string,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  checkDatabaseUrl(url);
  // Loaded here: most commands never open a database, and pg takes a while to load.
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.name ?? 'paperboy',
    // Idle connections do not keep the process alive: a command that is done exits at once.
    allowExitOnIdle: true,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw unreachable(url, error);
  }
  return pool;
}

export function unreachable(url: string, error: unknown): PaperboyError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new PaperboyError(
    'store',
    `cannot use the database at ${describeDatabaseUrl(url)} (${reason})`,
    {
      hint: 'check DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running',
      cause: error,
    },
  );
}

/**
 * An error the server sent (pg's DatabaseError: a SQLSTATE `code` and a `severity`), told apart
 * without loading pg at start-up.
 */
export function isServerError(error: unknown): error is Error & { code: string } {
  const fields = error as { code?: unknown; severity?: unknown } | null;
  return (
    error instanceof Error &&
    typeof fields?.code === 'string' &&
    typeof fields.severity === 'string'
  );
}
