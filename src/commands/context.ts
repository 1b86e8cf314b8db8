// What every command starts from: the config file, the topics in effect, and (for commands that
// need it) the subscriber store: PostgreSQL when DATABASE_URL is set, else the JSON file. One
// place, so `parse`, `plan`, `send`, `serve` and `subscribers` agree.
import { join } from 'node:path';
import { type Config, DEFAULT_CONFIG_FILE, loadConfig } from '../config.js';
import { describeDatabaseUrl } from '../db/database.js';
import { PaperboyError } from '../errors.js';
import { createJsonStore } from '../stores/json-store.js';
import { createPostgresStore } from '../stores/postgres-store.js';
import type { SubscriberStore } from '../stores/types.js';
import { createJsonWholeList, type WholeList } from '../subscribers/whole-list.js';
import { resolveTopics, type TopicsConfig } from '../topics/resolve-topics.js';
import type { Topic } from '../types.js';
import { requireDatabaseUrl } from './db.js';

export interface Context {
  config: Config;
  topics: Topic[];
}

export function loadContext(configPath: string | undefined): Context {
  const { config, path } = loadConfig(configPath);
  const topics = resolveTopics(
    config.topics as TopicsConfig | undefined,
    path ?? DEFAULT_CONFIG_FILE,
  );
  return { config, topics };
}

export interface OpenedStore {
  store: SubscriberStore;
  /** Where the subscribers are, as named in messages: the file, or the database URL (no password). */
  label: string;
  /** The same list read or filled at once, ids and hashed suppressions included (export, restore). */
  wholeList: WholeList;
}

/**
 * With DATABASE_URL set, the PostgreSQL store there (opened by its first call); otherwise the
 * JSON file at --subscribers, else the config's `subscribers` (./subscribers.json).
 *
 * --subscribers together with DATABASE_URL is a config error rather than a warning: a command
 * told to use a file must not quietly change a database instead, nor the other way round. The
 * config's `subscribers` (it always has a value) is simply not used with DATABASE_URL.
 */
export function openSubscriberStore(
  context: Context,
  subscribersFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): OpenedStore {
  const topicIds = context.topics.map((topic) => topic.id);
  if (env.DATABASE_URL?.trim()) {
    const url = requireDatabaseUrl(env);
    if (subscribersFlag !== undefined) {
      throw new PaperboyError(
        'config',
        `--subscribers ${subscribersFlag}: DATABASE_URL is set, so the subscribers are in PostgreSQL (${describeDatabaseUrl(url)}), not in a file`,
        {
          hint: 'leave out --subscribers to use the database, or unset DATABASE_URL to use the file',
        },
      );
    }
    const store = createPostgresStore({ url, topicIds });
    return { store, label: describeDatabaseUrl(url), wholeList: store };
  }
  const label = subscribersFlag ?? context.config.subscribers;
  return {
    store: createJsonStore({ path: label, label, topicIds }),
    label,
    wholeList: createJsonWholeList({ path: label, label, topicIds }),
  };
}

/** Where the send history lives: `<dataDir>/history.json`. */
export function historyPath(context: Context, file: string): string {
  return join(context.config.dataDir, file);
}
