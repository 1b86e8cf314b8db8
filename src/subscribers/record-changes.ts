// How a subscriber record comes to be and changes status, and the errors for a refused change:
// the rules every store driver applies (the JSON file's and PostgreSQL's), so both give the same
// records, timestamps and messages.
import { randomBytes } from 'node:crypto';
import { PaperboyError } from '../errors.js';
import type { SubscriberSettings, Suppression } from '../stores/subscriber-schema.js';
import type { Subscriber, SubscriberStatus } from '../types.js';

/** `sub_` + 16 random hex digits (64 bits): never reused; a store refuses one already taken. */
export function newSubscriberId(): string {
  return `sub_${randomBytes(8).toString('hex')}`;
}

/** A new record: its settings, `status`, consent given `at`. */
export function createRecord(
  id: string,
  settings: SubscriberSettings,
  status: SubscriberStatus,
  at: string,
): Subscriber {
  return {
    id,
    ...settings,
    status,
    subscribedAt: at,
    updatedAt: at,
    unsubscribedAt: status === 'unsubscribed' ? at : null,
  };
}

/** Back on the list: new settings, consent given `at`. The id and the address stay. */
export function reactivate(subscriber: Subscriber, settings: SubscriberSettings, at: string): void {
  Object.assign(subscriber, settings, {
    email: subscriber.email,
    status: 'active',
    subscribedAt: at,
    updatedAt: at,
    unsubscribedAt: null,
  });
}

/**
 * Sets `status` (stamping updatedAt, and unsubscribedAt on an unsubscribe; re-activation clears
 * it). False, and nothing touched, when it already is.
 */
export function changeStatus(
  subscriber: Subscriber,
  status: SubscriberStatus,
  at: string,
): boolean {
  if (subscriber.status === status) return false;
  subscriber.status = status;
  subscriber.updatedAt = at;
  if (status === 'unsubscribed') subscriber.unsubscribedAt = at;
  if (status === 'active') subscriber.unsubscribedAt = null;
  return true;
}

/** The hashed suppression a purge leaves of `subscriber`. */
export function purgedSuppression(emailSha256: string, subscriber: Subscriber, at: string) {
  return {
    emailSha256,
    status: subscriber.status === 'bounced' ? 'bounced' : 'unsubscribed',
    suppressedAt: at,
  } satisfies Suppression;
}

function day(timestamp: string | null): string {
  return timestamp ? ` on ${timestamp.slice(0, 10)}` : '';
}

/** `add` of an unsubscribed, bounced or purged address without `resubscribe`. */
export function suppressedError(
  email: string,
  subscriber: Subscriber | null,
  purged: Suppression | null,
): PaperboyError {
  const what = subscriber
    ? `${subscriber.status}${day(subscriber.status === 'unsubscribed' ? subscriber.unsubscribedAt : subscriber.updatedAt)} (${subscriber.id})`
    : `was purged (${purged?.status}${day(purged?.suppressedAt ?? null)})`;
  return new PaperboyError('conflict', `${email} ${what}; not re-activated`, {
    hint: 'only if they asked to come back: add --resubscribe',
  });
}

export function alreadySubscribedError(email: string, subscriber: Subscriber): PaperboyError {
  return new PaperboyError('conflict', `${email} is already subscribed (${subscriber.id})`, {
    hint: 'to change their topics: paperboy subscribers topics EMAIL --set ...',
  });
}

export function unknownRefError(ref: string): PaperboyError {
  return new PaperboyError('conflict', `no subscriber ${ref.trim()}`, {
    hint: 'see "paperboy subscribers list"',
  });
}
