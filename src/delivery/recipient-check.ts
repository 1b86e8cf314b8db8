// Suppression checked at send time, not only when planning: someone who unsubscribed (or bounced,
// or was purged) while a long run was going must not get the email. The check asks the store for
// its change token at most every `maxAgeMs` (a file stat for the JSON store) and reads the list
// again only when the token moved, so a change is seen within about a second and an unchanged
// list of 100,000 is read once per run, not once a second.
//
// Until the token moves, a planned recipient is as the plan read them (active, with the plan's
// name), so nothing is kept per subscriber: memory stays flat however long the list (issue 7).
// Once it moves, the list's statuses and names are copied (a Map); a copy and not `store.get` per
// recipient, as the JSON store reads and validates the whole file on every call, which at 100,000
// subscribers would cost more than sending.
import type { Recipient } from '../plan/index.js';
import type { SubscriberStore } from '../stores/types.js';
import type { SubscriberStatus } from '../types.js';

export interface RecipientNow {
  /** `removed`: no longer on the list (purged), so not to be mailed either. */
  status: SubscriberStatus | 'removed';
  name: string | null;
}

type Entry = { status: SubscriberStatus; name: string | null };

/** Shared by every subscriber without a name, per status: one object, not 100,000. */
const UNNAMED: Record<SubscriberStatus, Entry> = {
  active: Object.freeze({ status: 'active', name: null }),
  unsubscribed: Object.freeze({ status: 'unsubscribed', name: null }),
  bounced: Object.freeze({ status: 'bounced', name: null }),
};

export interface RecipientCheckOptions {
  maxAgeMs?: number;
  now?: () => number;
  /**
   * The store's token read before the plan read the list: until it moves, planned recipients are
   * taken as planned instead of reading the list again (a second read of 100,000 subscribers).
   * Without it, the first check reads the list.
   */
  plannedAt?: string;
}

/** Whether a planned recipient is to be mailed now, and by what name. */
export type RecipientCheck = (recipient: Recipient) => Promise<RecipientNow>;

/** Subscriber id -> status and name, as of one read of the list. */
type Snapshot = Map<string, Readonly<Entry>>;

export function createRecipientCheck(
  store: SubscriberStore,
  options: RecipientCheckOptions = {},
): RecipientCheck {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  // True until the token moves from the plan's: planned recipients are then as planned.
  let asPlanned = options.plannedAt !== undefined;
  let token: string | null = options.plannedAt ?? null;
  let snapshot: Promise<Snapshot> | null = null;
  let checkedAt = asPlanned ? now() : 0;

  async function read(): Promise<Snapshot> {
    const before = await store.changeToken();
    const entries: Snapshot = new Map();
    await store.scan((s) => {
      entries.set(s.id, s.name === null ? UNNAMED[s.status] : { status: s.status, name: s.name });
    });
    token = before;
    return entries;
  }

  /** A new read when the store's token moved since the plan or the last read, or none was made. */
  async function refresh(): Promise<void> {
    const current = asPlanned || snapshot !== null;
    if (current && (await store.changeToken()) === token) return;
    asPlanned = false;
    const reading = read();
    snapshot = reading;
    // A failed read is not kept: the next recipient tries again.
    reading.catch(() => {
      if (snapshot === reading) snapshot = null;
    });
  }

  let refreshing: Promise<void> | null = null;
  return async (recipient) => {
    if ((!asPlanned && snapshot === null) || now() - checkedAt > maxAgeMs) {
      checkedAt = now();
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
    }
    if (refreshing) await refreshing;
    if (asPlanned) return { status: 'active', name: recipient.name };
    if (snapshot === null) throw new Error('the subscriber list could not be read again');
    const found = (await snapshot).get(recipient.subscriberId);
    return found ?? { status: 'removed', name: null };
  };
}
