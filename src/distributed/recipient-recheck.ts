// Suppression checked right before each message of a batch, not only when it was claimed: someone
// who unsubscribes while a batch is going must not get the email. The claim (pg-ledger.ts) read
// every recipient's status; during the batch the store's change token is asked at most every
// `maxAgeMs` (one tiny query), and only when it moved are the batch's statuses read again, in one
// query. So an unchanged list costs nothing per message, and a change is seen within a second.
import type { SubscriberStatus } from '../types.js';
import type { ClaimedDelivery } from './pg-ledger.js';
import type { Queryable } from './queue.js';

export interface RecipientNow {
  /** `removed`: no longer on the list (purged). */
  status: SubscriberStatus | 'removed';
  name: string | null;
}

export interface RecheckOptions {
  db: Queryable;
  /** The store's change token (SubscriberStore.changeToken). */
  changeToken(): Promise<string>;
  /** The token read before the claim: the statuses the claim returned are at least this new. */
  tokenAtClaim: string;
  claimed: readonly ClaimedDelivery[];
  maxAgeMs?: number;
  now?: () => number;
}

export type Recheck = (subscriberId: string) => Promise<RecipientNow>;

export function createRecheck(options: RecheckOptions): Recheck {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  const ids = options.claimed.map((c) => c.subscriberId);
  let current = new Map<string, RecipientNow>(
    options.claimed.map((c) => [c.subscriberId, { status: 'active', name: c.name }]),
  );
  let token = options.tokenAtClaim;
  let checkedAt = now();
  let refreshing: Promise<void> | null = null;

  async function refresh(): Promise<void> {
    const latest = await options.changeToken();
    if (latest === token) return;
    const result = await options.db.query(
      'SELECT id, status, name FROM subscribers WHERE id = ANY($1::text[])',
      [ids],
    );
    const rows = result.rows as { id: string; status: SubscriberStatus; name: string | null }[];
    current = new Map(rows.map((row) => [row.id, { status: row.status, name: row.name }]));
    token = latest;
  }

  return async (subscriberId) => {
    if (now() - checkedAt > maxAgeMs) {
      checkedAt = now();
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
    }
    if (refreshing) await refreshing;
    return current.get(subscriberId) ?? { status: 'removed', name: null };
  };
}
