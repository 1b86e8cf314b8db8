// The PostgreSQL connection of a distributed command (serve, worker, send, status): DATABASE_URL,
// one pool per process, and a schema check first, so a database that was never migrated (or was
// migrated by a newer paperboy) is one clear error, not a failed query halfway through a send.
import { type Context, openSubscriberStore } from '../commands/context.js';
import { requireDatabaseUrl } from '../commands/db.js';
import { type Database, openDatabase } from '../db/database.js';
import { checkSchema } from '../db/migrate.js';
import { createPostgresStore } from '../stores/postgres-store.js';
import type { SubscriberStore } from '../stores/types.js';

export interface Connected {
  url: string;
  db: Database;
}

/** True when DATABASE_URL is set: everything is then in PostgreSQL. */
export function usesDatabase(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DATABASE_URL?.trim());
}

export async function connectDatabase(
  env: NodeJS.ProcessEnv,
  options: { name: string; max?: number },
): Promise<Connected> {
  const url = requireDatabaseUrl(env);
  const db = await openDatabase(url, options);
  try {
    await checkSchema(db);
  } catch (error) {
    await db.end().catch(() => {});
    throw error;
  }
  return { url, db };
}

/**
 * --subscribers names a file, which does not mix with DATABASE_URL: openSubscriberStore refuses
 * it (a config error), with the same message for every command. Called before connecting.
 */
export function refuseSubscribersFlag(
  context: Context,
  subscribersFlag: string | undefined,
  env: NodeJS.ProcessEnv,
): void {
  if (subscribersFlag === undefined) return;
  void openSubscriberStore(context, subscribersFlag, env).store.close();
}

/** The PostgreSQL subscriber store on this process's pool (one pool for everything). */
export function openStoreOn(db: Database, context: Context): SubscriberStore {
  return createPostgresStore({ db, topicIds: context.topics.map((topic) => topic.id) });
}
