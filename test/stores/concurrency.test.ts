// Real paperboy processes against one file at once: no update is lost, the file stays valid.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createJsonStore } from '../../src/stores/json-store.js';
import { runCli } from '../cli/run-cli.js';
import { readValid, TOPIC_IDS } from './read-valid.js';

const dir = mkdtempSync(join(tmpdir(), 'paperboy-concurrency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('concurrent paperboy processes', () => {
  it('20 adds and 4 unsubscribes at once: every change is there, the file is valid', async () => {
    const path = join(dir, 'concurrent.json');
    const store = createJsonStore({ path, topicIds: TOPIC_IDS });
    const existing = Array.from({ length: 4 }, (_, index) => `existing${index}@example.org`);
    await store.import(existing.map((email) => ({ email, topics: ['llm'] })));

    const added = Array.from({ length: 20 }, (_, index) => `new${index}@example.org`);
    const run = (args: string[]) =>
      runCli(['subscribers', ...args, '--subscribers', path], { cwd: dir });
    const results = await Promise.all([
      ...added.map((email, index) =>
        run(['add', email, '--topics', index % 2 ? 'graphs,time-series' : 'all']),
      ),
      ...existing.map((email) => run(['remove', email])),
    ]);
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(results.slice(0, 20).map((result) => result.stdout.split(' ')[0])).toEqual(
      Array(20).fill('added'),
    );

    const { subscribers } = readValid(path);
    expect(subscribers).toHaveLength(24);
    const statusOf = new Map(subscribers.map((item) => [item.email, item.status]));
    for (const email of added) expect(statusOf.get(email)).toBe('active');
    for (const email of existing) expect(statusOf.get(email)).toBe('unsubscribed');
    expect(new Set(subscribers.map((item) => item.id)).size).toBe(24);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
