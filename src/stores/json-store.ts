// The embedded default store: one JSON file (subscribers.json). Reads take no lock (writes are
// atomic renames, so a reader sees the old file or the new one); every change is lock, re-read,
// validate, change, write, unlock, so concurrent paperboy processes never lose an update.
import { stat } from 'node:fs/promises';
import { PaperboyError } from '../errors.js';
import { hashEmail, normalizeEmail } from '../subscribers/email.js';
import {
  alreadySubscribedError,
  changeStatus,
  createRecord,
  newSubscriberId,
  purgedSuppression,
  reactivate,
  suppressedError,
  unknownRefError,
} from '../subscribers/record-changes.js';
import { SUBSCRIBER_STATUSES, type Subscriber, type SubscriberStatus } from '../types.js';
import { applyPatch, checkEntries, checkEntry, sameSettings } from './check-input.js';
import { updateLockedFile } from './locked-file.js';
import {
  readSubscriberFile,
  readSubscriberFileAt,
  type SubscriberFileData,
  scanSubscriberFileAt,
  serializeSubscriberFile,
  sortSubscribers,
} from './subscriber-file.js';
import type { SubscriberSettings } from './subscriber-schema.js';
import type {
  AddOptions,
  ImportEntry,
  ImportOptions,
  ImportReport,
  ImportResult,
  ListFilter,
  NewSubscriber,
  RemoveOptions,
  RemoveResult,
  SubscriberPatch,
  SubscriberRef,
  SubscriberStore,
} from './types.js';

export interface JsonStoreOptions {
  /** The subscriber file; created (with its folder) by the first write. */
  path: string;
  /** The known topic ids: a subscriber's topics must be among them. */
  topicIds: readonly string[];
  /** How the file is named in messages (default: `path` as given). */
  label?: string;
  /** The clock, for tests. */
  now?: () => Date;
  /** See LockedFileOptions: a dead process's lock is taken over after this (default 10 s). */
  lockStaleMs?: number;
  /** How long to wait for another process's lock (default 20 s). */
  lockWaitMs?: number;
}

/** A new id not in use (ids are never reused: 64 random bits). */
function createId(taken: ReadonlySet<string>): string {
  for (;;) {
    const id = newSubscriberId();
    if (!taken.has(id)) return id;
  }
}

export function createJsonStore(options: JsonStoreOptions): SubscriberStore {
  const { path, topicIds } = options;
  const label = options.label ?? path;
  const now = options.now ?? (() => new Date());
  const stamp = () => now().toISOString();

  const parse = (text: string | null) => readSubscriberFile(text, label, topicIds);
  const load = () => readSubscriberFileAt(path, label, topicIds);

  /** Lock, re-read, validate, let `change` edit the data in place, write if it says so. */
  function mutate<T>(change: (data: SubscriberFileData) => { changed: boolean; result: T }) {
    return updateLockedFile(
      { path, label, staleMs: options.lockStaleMs, waitMs: options.lockWaitMs },
      (text) => {
        const data = parse(text);
        const { changed, result } = change(data);
        return changed ? { text: serializeSubscriberFile(data), result } : { result };
      },
    );
  }

  function find(data: SubscriberFileData, ref: SubscriberRef): number {
    const wanted = ref.trim();
    const byId = data.subscribers.findIndex((subscriber) => subscriber.id === wanted);
    if (byId !== -1) return byId;
    const email = normalizeEmail(wanted);
    return data.subscribers.findIndex((subscriber) => normalizeEmail(subscriber.email) === email);
  }

  function findPurged(data: SubscriberFileData, email: string): number {
    const hash = hashEmail(email);
    return data.suppressions.findIndex((entry) => entry.emailSha256 === hash);
  }

  function existing(data: SubscriberFileData, ref: SubscriberRef): Subscriber {
    const subscriber = data.subscribers[find(data, ref)];
    if (!subscriber) throw unknownRefError(ref);
    return subscriber;
  }

  /** A new record on the list (the rules every driver shares: subscribers/record-changes.ts). */
  function addRecord(
    data: SubscriberFileData,
    settings: SubscriberSettings,
    status: SubscriberStatus,
  ): Subscriber {
    const id = createId(new Set(data.subscribers.map((item) => item.id)));
    const subscriber = createRecord(id, settings, status, stamp());
    data.subscribers.push(subscriber);
    return subscriber;
  }

  return {
    async changeToken() {
      // Every write replaces the file (a new inode) and stamps it; no file is a token too.
      const info = await stat(path, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      return info ? `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}` : 'none';
    },

    async list(filter: ListFilter = {}) {
      const { subscribers } = await load();
      const { status, topic } = filter;
      const wanted =
        status || topic
          ? subscribers.filter(
              (subscriber) =>
                (!status || subscriber.status === status) &&
                (!topic || subscriber.topics === 'all' || subscriber.topics.includes(topic)),
            )
          : subscribers;
      return sortSubscribers(wanted);
    },

    async scan(visit) {
      await scanSubscriberFileAt(path, label, topicIds, visit);
    },

    async get(ref) {
      const data = await load();
      return data.subscribers[find(data, ref)] ?? null;
    },

    async add(input: NewSubscriber, addOptions: AddOptions = {}) {
      const { status: _ignored, ...settings } = checkEntry(
        { ...input, status: 'active' },
        topicIds,
        input.email?.trim() || 'new subscriber',
      );
      return mutate((data) => {
        const current = data.subscribers[find(data, settings.email)];
        if (current) {
          if (current.status === 'active') {
            throw alreadySubscribedError(settings.email, current);
          }
          if (!addOptions.resubscribe) throw suppressedError(settings.email, current, null);
          reactivate(current, settings, stamp());
          return { changed: true, result: current };
        }
        const purged = findPurged(data, settings.email);
        if (purged !== -1) {
          if (!addOptions.resubscribe) {
            throw suppressedError(settings.email, null, data.suppressions[purged] ?? null);
          }
          data.suppressions.splice(purged, 1);
        }
        return { changed: true, result: addRecord(data, settings, 'active') };
      });
    },

    async update(
      ref: SubscriberRef,
      patch: SubscriberPatch | ((current: Subscriber) => SubscriberPatch),
    ) {
      return mutate((data) => {
        const subscriber = existing(data, ref);
        const changes = typeof patch === 'function' ? patch(structuredClone(subscriber)) : patch;
        const settings = applyPatch(subscriber, changes, topicIds);
        if (sameSettings(settings, subscriber)) return { changed: false, result: subscriber };
        Object.assign(subscriber, settings, { email: subscriber.email, updatedAt: stamp() });
        return { changed: true, result: subscriber };
      });
    },

    async setStatus(ref: SubscriberRef, status: SubscriberStatus) {
      if (!SUBSCRIBER_STATUSES.includes(status)) {
        throw new PaperboyError(
          'invalidInput',
          `unknown status "${status}"; expected ${SUBSCRIBER_STATUSES.join(', ')}`,
        );
      }
      return mutate((data) => {
        const subscriber = existing(data, ref);
        return { changed: changeStatus(subscriber, status, stamp()), result: subscriber };
      });
    },

    async remove(ref: SubscriberRef, removeOptions: RemoveOptions = {}) {
      return mutate((data): { changed: boolean; result: RemoveResult } => {
        const index = find(data, ref);
        const subscriber = data.subscribers[index];
        if (!subscriber) {
          if (ref.includes('@') && findPurged(data, ref) !== -1) {
            return { changed: false, result: { outcome: 'unchanged', subscriber: null } };
          }
          throw unknownRefError(ref);
        }
        if (removeOptions.purge) {
          data.subscribers.splice(index, 1);
          data.suppressions.push(
            purgedSuppression(hashEmail(subscriber.email), subscriber, stamp()),
          );
          return { changed: true, result: { outcome: 'purged', subscriber } };
        }
        if (subscriber.status !== 'active') {
          return { changed: false, result: { outcome: 'unchanged', subscriber } };
        }
        changeStatus(subscriber, 'unsubscribed', stamp());
        return { changed: true, result: { outcome: 'unsubscribed', subscriber } };
      });
    },

    async import(entries: ImportEntry[], importOptions: ImportOptions = {}) {
      const valid = checkEntries(entries, topicIds);
      return mutate((data) => {
        const results: ImportResult[] = valid.map(({ status, ...settings }): ImportResult => {
          const result = (outcome: ImportResult['outcome'], subscriber: Subscriber | null) => ({
            email: settings.email,
            outcome,
            id: subscriber?.id ?? null,
            status: subscriber?.status ?? null,
          });
          const current = data.subscribers[find(data, settings.email)];
          if (current && current.status !== 'active') {
            if (status !== 'active' || !importOptions.resubscribe) {
              return result('suppressed', current);
            }
            reactivate(current, settings, stamp());
            return result('resubscribed', current);
          }
          if (current) {
            if (!importOptions.overwrite) return result('unchanged', current);
            const settingsChanged = !sameSettings(settings, current);
            if (settingsChanged) {
              Object.assign(current, settings, { email: current.email, updatedAt: stamp() });
            }
            // An unsubscribe carried over from the other list is honoured.
            const statusChanged = changeStatus(current, status, stamp());
            return result(settingsChanged || statusChanged ? 'updated' : 'unchanged', current);
          }
          const purged = findPurged(data, settings.email);
          if (purged !== -1) {
            if (status !== 'active' || !importOptions.resubscribe) {
              return result('suppressed', null);
            }
            data.suppressions.splice(purged, 1);
            return result('resubscribed', addRecord(data, settings, 'active'));
          }
          return result('added', addRecord(data, settings, status));
        });
        const changed = results.some(
          (item) => item.outcome !== 'unchanged' && item.outcome !== 'suppressed',
        );
        return { changed, result: { results } satisfies ImportReport };
      });
    },

    async isSuppressed(email: string) {
      const data = await load();
      const subscriber = data.subscribers[find(data, email)];
      if (subscriber) return subscriber.status !== 'active';
      return findPurged(data, email) !== -1;
    },

    async close() {
      // Nothing is held between calls: every call reads the file afresh.
    },
  };
}
