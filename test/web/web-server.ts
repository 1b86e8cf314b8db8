// The web app over real HTTP for the tests: @hono/node-server on 127.0.0.1, a free port, a copy
// of subscribers.example.json in a temporary folder, and a two-key keyring (k2 signs, k1 is a
// rotated-out key that still verifies).
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { type Config, loadConfig } from '../../src/config.js';
import { createJsonStore } from '../../src/stores/json-store.js';
import type { SubscriberStore } from '../../src/stores/types.js';
import { createToken, type Keyring, parseKeyring } from '../../src/tokens/link-token.js';
import { resolveTopics } from '../../src/topics/resolve-topics.js';
import type { Topic } from '../../src/types.js';
import { createWebApp, type WebAppOptions } from '../../src/web/app.js';
import { ROOT } from '../cli/run-cli.js';

export const BASE_URL = 'https://papers.example.org';
export const NEW_SECRET = 'k2:new-secret-0123456789abcdef';
export const OLD_SECRET = 'k1:old-secret-0123456789abcdef';
/** Ada: active, daily, graphs + time-series. */
export const ADA = 'sub_9f2c1a7e5b03d861';
/** Grace: active, llm + agents, with keywords. */
export const GRACE = 'sub_3b8d44c0a1e97f25';

export interface WebServer {
  url: string;
  dir: string;
  dataDir: string;
  subscribersPath: string;
  store: SubscriberStore;
  keyring: Keyring;
  config: Config;
  topics: Topic[];
  events: Record<string, unknown>[];
  /** A fresh store on the same file: what the next command would read. */
  read(id: string): ReturnType<SubscriberStore['get']>;
  token(purpose: 'unsubscribe' | 'preferences', id: string, keyring?: Keyring): string;
  close(): Promise<void>;
}

export async function startWebServer(
  overrides: Partial<WebAppOptions> = {},
  name = 'paperboy-web-',
): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), name));
  const dataDir = join(dir, 'data');
  const subscribersPath = join(dir, 'subscribers.json');
  copyFileSync(join(ROOT, 'subscribers.example.json'), subscribersPath);
  const configPath = join(dir, 'paperboy.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ baseUrl: BASE_URL, dataDir, subscribers: subscribersPath }),
  );
  const { config } = loadConfig(configPath, {});
  const topics = resolveTopics(undefined);
  const topicIds = topics.map((t) => t.id);
  const store = createJsonStore({ path: subscribersPath, label: 'subscribers.json', topicIds });
  const keyring = parseKeyring(`${NEW_SECRET},${OLD_SECRET}`);
  const events: Record<string, unknown>[] = [];
  const app = createWebApp({
    config,
    topics,
    store,
    keyring,
    dataDir,
    baseUrl: BASE_URL,
    log: (event) => events.push(event),
    ...overrides,
  });
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    dataDir,
    subscribersPath,
    store,
    keyring,
    config,
    topics,
    events,
    read: (id) =>
      createJsonStore({ path: subscribersPath, label: 'subscribers.json', topicIds }).get(id),
    token: (purpose, id, ring = keyring) => createToken(ring, purpose, id),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
