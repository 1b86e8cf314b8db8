// Suppression checked at send time, not only when planning: someone who unsubscribed (or bounced,
// or was purged) while a long run was going must not get the email. The check reads the store
// again when its copy is older than `maxAgeMs`, so a change is seen within about a second.
//
// Why a copy and not `store.get` per recipient: the JSON store reads and validates the whole file
// on every call, which at 100,000 subscribers would cost more than sending. The copy's age also
// grows with how long a read takes (at most a tenth of the time goes to re-reading).
import type { SubscriberStore } from '../stores/types.js';
import type { SubscriberStatus } from '../types.js';

export interface RecipientNow {
  /** `removed`: no longer on the list (purged), so not to be mailed either. */
  status: SubscriberStatus | 'removed';
  name: string | null;
}

export interface RecipientCheckOptions {
  maxAgeMs?: number;
  now?: () => number;
}

export type RecipientCheck = (subscriberId: string) => Promise<RecipientNow>;

type Snapshot = Map<string, { status: SubscriberStatus; name: string | null }>;

export function createRecipientCheck(
  store: SubscriberStore,
  options: RecipientCheckOptions = {},
): RecipientCheck {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  let snapshot: Promise<Snapshot> | null = null;
  let readAt = 0;
  let readTook = 0;

  async function read(): Promise<Snapshot> {
    const started = now();
    const subscribers = await store.list();
    readTook = now() - started;
    return new Map(subscribers.map((s) => [s.id, { status: s.status, name: s.name }]));
  }

  return async (subscriberId) => {
    if (snapshot === null || now() - readAt > Math.max(maxAgeMs, 10 * readTook)) {
      readAt = now();
      snapshot = read();
      // A failed read is not kept: the next recipient tries again.
      snapshot.catch(() => {
        snapshot = null;
      });
    }
    const found = (await snapshot).get(subscriberId);
    return found ?? { status: 'removed', name: null };
  };
}
