// The whole list at once, as the subscriber file holds it: every record as it is (id, timestamps,
// status) and the hashed suppressions of purged addresses. `subscribers export` writes it and
// `subscribers import --restore` puts it into an empty store, so a list moves between stores (the
// file and PostgreSQL, either way) losing nothing: the ids stay, so every link already mailed
// keeps working, and a purged address stays suppressed.
//
// Beside the store contract (src/stores/types.ts) rather than in it for now: the PostgreSQL store
// implements it itself, the JSON file's version is below.
import { PaperboyError } from '../errors.js';
import { updateLockedFile } from '../stores/locked-file.js';
import {
  readSubscriberFile,
  readSubscriberFileAt,
  SUBSCRIBER_FILE_VERSION,
  type SubscriberFileData,
  serializeSubscriberFile,
  toFileRecord,
} from '../stores/subscriber-file.js';

export interface RestoreReport {
  subscribers: number;
  suppressions: number;
}

export interface WholeList {
  /** Every subscriber (sorted as list() sorts them) and every hashed suppression. */
  readWholeList(): Promise<SubscriberFileData>;
  /**
   * Puts `data` into the store as it is: ids, timestamps, statuses, hashes. Validated first
   * like a subscriber file; only into an empty store ('conflict' otherwise), all or nothing.
   */
  restoreWholeList(data: SubscriberFileData): Promise<RestoreReport>;
}

/**
 * `data` as a subscriber file would give it, or the error reading that file would give: what
 * a restore accepts is exactly what a store accepts on load. (Plain JSON.stringify, not the
 * file's layout: ten times faster at 100,000, and the reader does not mind.)
 */
export function checkWholeList(
  data: SubscriberFileData,
  topicIds: readonly string[],
): SubscriberFileData {
  const text = JSON.stringify({
    version: SUBSCRIBER_FILE_VERSION,
    subscribers: data.subscribers.map(toFileRecord),
    suppressions: data.suppressions,
  });
  return readSubscriberFile(text, 'the restored list', topicIds);
}

export function notEmptyError(
  label: string,
  counts: { subscribers: number; suppressions: number },
): PaperboyError {
  return new PaperboyError(
    'conflict',
    `${label} is not empty (${counts.subscribers} subscriber(s), ${counts.suppressions} purged address(es)): --restore only fills an empty list`,
    {
      hint: 'import without --restore adds the entries to this list (under new ids; hashed suppressions are not merged)',
    },
  );
}

/** The JSON file's whole list: the file itself, read and written under its lock. */
export function createJsonWholeList(options: {
  path: string;
  label: string;
  topicIds: readonly string[];
}): WholeList {
  const { path, label, topicIds } = options;
  return {
    readWholeList: () => readSubscriberFileAt(path, label, topicIds),
    async restoreWholeList(data) {
      const valid = checkWholeList(data, topicIds);
      return updateLockedFile({ path, label }, (text) => {
        const current = readSubscriberFile(text, label, topicIds);
        if (current.subscribers.length > 0 || current.suppressions.length > 0) {
          throw notEmptyError(label, {
            subscribers: current.subscribers.length,
            suppressions: current.suppressions.length,
          });
        }
        return {
          text: serializeSubscriberFile(valid),
          result: {
            subscribers: valid.subscribers.length,
            suppressions: valid.suppressions.length,
          },
        };
      });
    },
  };
}
