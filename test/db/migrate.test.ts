// Migrations against a real PostgreSQL: applied once, idempotent, and checked at start-up.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import {
  appliedMigrations,
  checkSchema,
  MIGRATIONS_DIR,
  migrate,
  shippedMigrations,
} from '../../src/db/migrate.js';
import { PaperboyError } from '../../src/errors.js';
import { createTestDatabase } from '../pg/postgres-server.js';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const FIRST =
  '-- Up Migration\nCREATE TABLE one (id int PRIMARY KEY);\n-- Down Migration\nDROP TABLE one;\n';
const SECOND =
  '-- Up Migration\nCREATE TABLE two (id int PRIMARY KEY);\n-- Down Migration\nDROP TABLE two;\n';

describe('migrations', () => {
  let url: string;
  let db: Database;
  beforeAll(async () => {
    url = await createTestDatabase(inject('pgServerUrl'), 'migrate');
    db = await openDatabase(url);
  });
  afterAll(async () => {
    await db?.end();
  });

  it('applies what is missing, once, and the schema check follows', async () => {
    const dir = migrationsDir({ '001_one.sql': FIRST });
    await expect(checkSchema(db, dir)).rejects.toThrow(
      /schema is behind: 1 migration\(s\) not applied \(001_one\)/,
    );
    expect(await migrate(url, { dir })).toEqual(['001_one']);
    expect(await migrate(url, { dir })).toEqual([]);
    await expect(checkSchema(db, dir)).resolves.toBeUndefined();
    const table = await db.query("SELECT to_regclass('one') IS NOT NULL AS present");
    expect(table.rows[0].present).toBe(true);

    // A newer paperboy ships a second migration: this database is behind until migrated.
    const next = migrationsDir({ '001_one.sql': FIRST, '002_two.sql': SECOND });
    const behind = await checkSchema(db, next).catch((error: unknown) => error);
    expect(behind).toBeInstanceOf(PaperboyError);
    expect((behind as PaperboyError).kind).toBe('store');
    expect((behind as PaperboyError).hint).toMatch(/paperboy db migrate/);
    expect(await migrate(url, { dir: next })).toEqual(['002_two']);
    expect(await appliedMigrations(db)).toEqual(['001_one', '002_two']);

    // An older paperboy (knows only the first) refuses a schema it does not know.
    await expect(checkSchema(db, dir)).rejects.toThrow(/newer than this paperboy: it has 002_two/);
  });

  it('the shipped migrations apply to an empty database and pass the check', async () => {
    const fresh = await createTestDatabase(inject('pgServerUrl'), 'shipped');
    const applied = await migrate(fresh);
    expect(applied).toEqual(shippedMigrations(MIGRATIONS_DIR));
    const freshDb = await openDatabase(fresh);
    try {
      await expect(checkSchema(freshDb)).resolves.toBeUndefined();
    } finally {
      await freshDb.end();
    }
  });

  it('a server that is not there is a store error naming the address, without the password', async () => {
    const error = await openDatabase('postgres://me:secret@127.0.0.1:1/nothing').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PaperboyError);
    expect((error as PaperboyError).message).toMatch(
      /cannot use the database at postgres:\/\/me@127\.0\.0\.1:1\/nothing \(ECONNREFUSED\)/,
    );
    expect((error as PaperboyError).message).not.toMatch(/secret/);
  });
});
