// What every command starts from: the config file, the topics in effect, and (for commands that
// need it) the subscriber store. One place, so `parse`, `plan` and `subscribers` agree.
import { join } from 'node:path';
import { type Config, DEFAULT_CONFIG_FILE, loadConfig } from '../config.js';
import { createJsonStore } from '../stores/json-store.js';
import type { SubscriberStore } from '../stores/types.js';
import { resolveTopics, type TopicsConfig } from '../topics/resolve-topics.js';
import type { Topic } from '../types.js';

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
  /** The subscriber file as named in messages. */
  label: string;
}

/** The JSON store at --subscribers, else the config's `subscribers` (./subscribers.json). */
export function openSubscriberStore(
  context: Context,
  subscribersFlag: string | undefined,
): OpenedStore {
  const label = subscribersFlag ?? context.config.subscribers;
  const store = createJsonStore({ path: label, label, topicIds: context.topics.map((t) => t.id) });
  return { store, label };
}

/** Where the send history lives: `<dataDir>/history.json`. */
export function historyPath(context: Context, file: string): string {
  return join(context.config.dataDir, file);
}
