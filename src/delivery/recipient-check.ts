// Suppression checked at send time, not only when planning: someone who unsubscribed (or bounced,
// or was purged) while a long run was going must not get the email. The check asks the store for
// its change token at most every `maxAgeMs` (a file stat for the JSON store) and reads the list
// again only when the token moved, so a change is seen within about a second and an unchanged
// list of 100,000 is read once per run, not once a second.
//
// Why a copy and not `store.get` per recipient: the JSON store reads and validates the whole file
// on every call, which at 100,000 subscribers would cost more than sending.
import type { SubscriberStore } from '../stores/types.js';
import type { Subscriber, SubscriberStatus } from '../types.js';

export interface RecipientNow {
  /** `removed`: no longer on the list (purged), so not to be mailed either. */
  status: SubscriberStatus | 'removed';
  name: string | null;
}

/** Each subscriber's status and name as of one read of the list, with the store's token then. */
export interface ListSnapshot {
  token: string;
  entries: Map<string, Readonly<Entry>>;
}

type Entry = { status: SubscriberStatus; name: string | null };

/** Shared by every subscriber without a name, per status: one object, not 100,000. */
const UNNAMED: Record<SubscriberStatus, Entry> = {
  active: Object.freeze({ status: 'active', name: null }),
  unsubscribed: Object.freeze({ status: 'unsubscribed', name: null }),
  bounced: Object.freeze({ status: 'bounced', name: null }),
};

/**
 * A snapshot taken as the list is read, a subscriber at a time (a store's scan), after the store's
 * token was `token`.
 */
export function snapshotBuilder(token: string): {
  add(subscriber: Subscriber): void;
  snapshot: ListSnapshot;
} {
  const entries: ListSnapshot['entries'] = new Map();
  return {
    add(s) {
      entries.set(s.id, s.name === null ? UNNAMED[s.status] : { status: s.status, name: s.name });
    },
    snapshot: { token, entries },
  };
}

export interface RecipientCheckOptions {
  maxAgeMs?: number;
  now?: () => number;
  /**
   * The list as the plan read it: the check starts from it instead of reading the list again
   * (a second read of 100,000 subscribers), and reads only once the token moves.
   */
  initial?: ListSnapshot;
}

export type RecipientCheck = (subscriberId: string) => Promise<RecipientNow>;

type Snapshot = ListSnapshot['entries'];

export function createRecipientCheck(
  store: SubscriberStore,
  options: RecipientCheckOptions = {},
): RecipientCheck {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  let snapshot: Promise<Snapshot> | null = options.initial
    ? Promise.resolve(options.initial.entries)
    : null;
  let token: string | null = options.initial?.token ?? null;
  let checkedAt = options.initial ? now() : 0;

  async function read(): Promise<Snapshot> {
    const before = await store.changeToken();
    const builder = snapshotBuilder(before);
    await store.scan(builder.add);
    token = before;
    return builder.snapshot.entries;
  }

  /** A new read when there is none, or when the store's token moved since the last one. */
  async function refresh(): Promise<void> {
    if (snapshot !== null && (await store.changeToken()) === token) return;
    snapshot = read();
    // A failed read is not kept: the next recipient tries again.
    snapshot.catch(() => {
      snapshot = null;
    });
  }

  let refreshing: Promise<void> | null = null;
  return async (subscriberId) => {
    if (snapshot === null || now() - checkedAt > maxAgeMs) {
      checkedAt = now();
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
    }
    if (refreshing) await refreshing;
    const found = (await (snapshot as Promise<Snapshot>)).get(subscriberId);
    return found ?? { status: 'removed', name: null };
  };
}
