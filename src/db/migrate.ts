// The database schema: SQL migrations in migrations/ (one file each, applied in name order, with
// "-- Up Migration" / "-- Down Migration" sections), run by node-pg-migrate. `paperboy db migrate`
// applies what is missing (a no-op when nothing is); every command that opens the database checks
// first that nothing is missing, so old code never writes to a newer schema or new code to an
// older one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PaperboyError } from '../errors.js';
import type { Database } from './database.js';

/** migrations/ at the package root (from src/db/ and from dist/db/ alike). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
/** Where node-pg-migrate records what it applied. */
export const MIGRATIONS_TABLE = 'paperboy_migrations';

/** The migrations shipped with this version, by name (file name without .sql), in order. */
export function shippedMigrations(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => file.slice(0, -'.sql'.length))
    .sort();
}

/** Names of the migrations applied to the database, in order; none when it was never migrated. */
export async function appliedMigrations(db: Database): Promise<string[]> {
  const exists = await db.query<{ present: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [MIGRATIONS_TABLE],
  );
  if (!exists.rows[0]?.present) return [];
  const result = await db.query<{ name: string }>(
    `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`,
  );
  return result.rows.map((row) => row.name);
}

export interface MigrateOptions {
  dir?: string;
  /** One line per migration applied. */
  log?(line: string): void;
}

/**
 * Applies the missing migrations, each in its own transaction, under node-pg-migrate's advisory
 * lock (two instances starting at once do not both apply one). Returns the names applied.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => {});
  // Loaded here, not at the top: every command checks the schema, only this one migrates, and
  // node-pg-migrate takes a noticeable part of a second to load.
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl: url,
    // Only the .sql files: the folder also holds its README.
    dir: join(options.dir ?? MIGRATIONS_DIR, '*.sql'),
    useGlob: true,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    count: Number.POSITIVE_INFINITY,
    checkOrder: true,
    logger: { debug: () => {}, info: () => {}, warn: log, error: log },
    verbose: false,
  });
  for (const migration of applied) log(`applied ${migration.name}`);
  return applied.map((migration) => migration.name);
}

/**
 * A PaperboyError('store') unless every shipped migration is applied (and none unknown to this
 * version is), saying what to do.
 */
export async function checkSchema(db: Database, dir = MIGRATIONS_DIR): Promise<void> {
  const shipped = shippedMigrations(dir);
  const applied = await appliedMigrations(db);
  const missing = shipped.filter((name) => !applied.includes(name));
  if (missing.length > 0) {
    throw new PaperboyError(
      'store',
      `the database schema is behind: ${missing.length} migration(s) not applied (${missing.join(', ')})`,
      { hint: 'run "paperboy db migrate" (with the same DATABASE_URL), then try again' },
    );
  }
  const unknown = applied.filter((name) => !shipped.includes(name));
  if (unknown.length > 0) {
    throw new PaperboyError(
      'store',
      `the database schema is newer than this paperboy: it has ${unknown.join(', ')}`,
      { hint: 'upgrade paperboy on this machine to the version that migrated the database' },
    );
  }
}
