// What the distributed tests share: a migrated database of their own on the test server, the
// PostgreSQL subscriber store on it, generated readers, and the seed issue planned into the
// ledger the way enqueueIssue does (issue, segments, one deliveries row per subscriber).
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { saveIssuePlan } from '../../src/distributed/issue-store.js';
import { recordPlanDeliveries } from '../../src/distributed/pg-ledger.js';
import { emptyHistory, type Plan, planIssue } from '../../src/plan/index.js';
import { createPostgresStore, type PostgresStore } from '../../src/stores/postgres-store.js';
import type { ImportEntry } from '../../src/stores/types.js';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';
import type { Issue, Paper } from '../../src/types.js';
import { createTestDatabase } from '../pg/postgres-server.js';
import { seedIssue } from '../render-fixture.js';

export const TOPIC_IDS = defaultTopics.map((topic) => topic.id);

export interface TestDatabase {
  url: string;
  /** The test's own pool. */
  db: Database;
  store: PostgresStore;
  close(): Promise<void>;
}

export async function migratedDatabase(prefix: string, max = 20): Promise<TestDatabase> {
  const url = await createTestDatabase(inject('pgServerUrl'), prefix);
  await migrate(url);
  const db = await openDatabase(url, { name: 'paperboy-test', max });
  const store = createPostgresStore({ db, topicIds: TOPIC_IDS });
  return {
    url,
    db,
    store,
    async close() {
      await store.close();
      await db.end();
    },
  };
}

/** Topic choices that all match papers of the seed, so everyone is planned, in a few segments. */
export const SEED_TOPIC_MIX: ImportEntry['topics'][] = [
  ['graphs'],
  ['vision', 'detection'],
  ['efficiency'],
  ['recsys'],
  'all',
  ['generative', 'video'],
  ['time-series', 'theory'],
];

/** `count` readers reader1@example.org... with a mix of topics and paper caps. */
export function readers(
  count: number,
  topicMix: readonly ImportEntry['topics'][] = SEED_TOPIC_MIX,
): ImportEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    email: `reader${i + 1}@example.org`,
    name: i % 3 === 0 ? `Reader ${i + 1}` : null,
    topics: topicMix[i % topicMix.length] as ImportEntry['topics'],
    maxPapers: 1 + (i % 4),
  }));
}

export interface PlannedSeed {
  issue: Issue;
  plan: Plan;
  revision: number;
}

/** Plans the seed issue for the store's subscribers and saves it as enqueueIssue would. */
export async function planSeed(database: TestDatabase): Promise<PlannedSeed> {
  const issue = await seedIssue();
  const plan = planIssue({ issue }, await database.store.list(), emptyHistory(), {
    maxPapers: 10,
    historyDays: 30,
    sendEmpty: false,
  });
  const papers = new Map<string, Paper>(issue.papers.map((paper) => [paper.id, paper]));
  const { revision } = await saveIssuePlan(database.db, {
    issue,
    plan,
    papers,
    plannedBy: 'test',
  });
  await recordPlanDeliveries(database.db, plan);
  return { issue, plan, revision };
}

/** The deliveries rows of an issue by subscriber id: state and reason. */
export async function deliveryStates(
  db: Database,
  issue: string,
): Promise<Map<string, { state: string; reason: string | null }>> {
  const result = await db.query<{ id: string; state: string; reason: string | null }>(
    'SELECT subscriber_id AS id, state, reason FROM deliveries WHERE issue = $1',
    [issue],
  );
  return new Map(result.rows.map((row) => [row.id, { state: row.state, reason: row.reason }]));
}
