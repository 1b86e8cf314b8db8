// `paperboy db migrate`: brings the PostgreSQL schema at DATABASE_URL up to this version's
// migrations (src/db/migrate.ts). Safe to run any number of times, and from several machines at
// once: node-pg-migrate holds an advisory lock while it applies.
import type { Command } from 'commander';
import {
  checkDatabaseUrl,
  describeDatabaseUrl,
  openDatabase,
  unreachable,
} from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { PaperboyError } from '../errors.js';

/** DATABASE_URL, or a PaperboyError('config') saying that a database command needs it. */
export function requireDatabaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    throw new PaperboyError('config', 'DATABASE_URL is not set', {
      hint: 'set DATABASE_URL=postgres://user:password@host:5432/paperboy (without it paperboy keeps everything in local files)',
    });
  }
  checkDatabaseUrl(url);
  return url;
}

export async function runDbMigrate(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const url = requireDatabaseUrl(env);
  let applied: string[];
  try {
    applied = await migrate(url, { log: (line) => process.stderr.write(`paperboy: ${line}\n`) });
  } catch (error) {
    if (error instanceof PaperboyError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    // Connection failures carry a system error code; anything else is a migration that failed.
    if (code && !/^\d/.test(code)) throw unreachable(url, error);
    throw new PaperboyError('store', `a migration failed: ${(error as Error).message}`, {
      hint: 'nothing of the failing migration was applied (each runs in a transaction); fix the cause and run it again',
      cause: error,
    });
  }
  // The send queue's own tables (pg-boss, schema "pgboss"): installed or upgraded now too, so a
  // migrated database is ready for workers (they would do it on start otherwise, one at a time).
  const { openQueue } = await import('../distributed/queue.js');
  const db = await openDatabase(url, { max: 2 });
  try {
    const queue = await openQueue(db, { supervise: false, jobTimeoutSeconds: 600 });
    await queue.close();
  } finally {
    await db.end();
  }
  process.stdout.write(
    applied.length === 0
      ? `${describeDatabaseUrl(url)}: the schema is up to date\n`
      : `${describeDatabaseUrl(url)}: applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
  );
}

export function registerDbCommand(program: Command): void {
  const db = program
    .command('db')
    .description('the PostgreSQL database (DATABASE_URL): create or update its schema');
  db.command('migrate')
    .description('apply the schema migrations this version needs (does nothing when up to date)')
    .addHelpText(
      'after',
      `
Needs DATABASE_URL=postgres://user:password@host:5432/paperboy. Run it once after installing or
upgrading paperboy, before starting serve or worker processes: they refuse to start on a schema
that is behind, and say so. It also installs (or upgrades) the send queue's tables (pg-boss,
schema "pgboss"). Safe to run again, and from several machines at once.`,
    )
    .action(() => runDbMigrate());
  for (const command of [db, ...db.commands]) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
    command.configureOutput(program.configureOutput());
  }
}
