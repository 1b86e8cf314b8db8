// Bounce strikes: how many times in a row delivery to a subscriber failed for good (hard) or kept
// failing after every retry (soft). At the configured limit the address becomes `bounced` in the
// subscriber store, which later plans and sends respect. A delivery that goes through clears the
// count, so only a run of failures bounces someone.
//
// The counts live in their own small file, `<dataDir>/bounces.json`, not in subscribers.json:
// they are delivery state that changes during a send, not a person's settings; the subscriber
// file stays the hand-editable list it is, and is rewritten only when someone really bounces.
// Writes are locked and atomic (stores/locked-file.ts), like the subscriber file's.
import { join } from 'node:path';
import { z } from 'zod';
import { PaperboyError } from '../errors.js';
import { formatZodIssue } from '../sources/json-path.js';
import { parseJsonText } from '../sources/parse-json-text.js';
import { readTextFile, updateLockedFile } from '../stores/locked-file.js';

export const STRIKES_FILE = 'bounces.json';

export type StrikeKind = 'hard' | 'soft';

const recordSchema = z.strictObject({
  hard: z.int().min(0),
  soft: z.int().min(0),
  /** The last failure: when, and the server's reply. */
  lastAt: z.string(),
  lastCode: z.int().nullable(),
  lastResponse: z.string(),
});

const fileSchema = z.strictObject({
  version: z.literal(1),
  subscribers: z.record(z.string(), recordSchema),
});

export type StrikeRecord = z.infer<typeof recordSchema>;
type StrikeFile = z.infer<typeof fileSchema>;

export interface StrikeLimits {
  hardBounceLimit: number;
  softBounceLimit: number;
}

/** True when the counts reach either limit: the address is to be marked bounced. */
export function reachesBounceLimit(record: StrikeRecord, limits: StrikeLimits): boolean {
  return record.hard >= limits.hardBounceLimit || record.soft >= limits.softBounceLimit;
}

export function strikesPath(dataDir: string): string {
  return join(dataDir, STRIKES_FILE);
}

function parseStrikes(text: string | null, path: string): StrikeFile {
  if (text === null) return { version: 1, subscribers: {} };
  const hint = 'fix the file, or delete it to forget the bounce counts';
  let value: unknown;
  try {
    value = parseJsonText(text, path);
  } catch (error) {
    throw new PaperboyError('store', (error as Error).message, { hint });
  }
  const result = fileSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${formatZodIssue(issue)}`);
    throw new PaperboyError(
      'store',
      `${path}: not a valid bounce file: ${problems.length} problem(s):\n${problems.join('\n')}`,
      { hint },
    );
  }
  return result.data;
}

function serialize(data: StrikeFile): string {
  const sorted = Object.fromEntries(
    Object.entries(data.subscribers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return `${JSON.stringify({ version: 1, subscribers: sorted }, null, 2)}\n`;
}

export interface StrikeBook {
  /** Adds a strike for a failure; the counts after it. */
  add(
    subscriberId: string,
    kind: StrikeKind,
    failure: { code: number | null; response: string },
  ): Promise<StrikeRecord>;
  /** Forgets the subscriber's strikes after a delivery went through; cheap when there are none. */
  clear(subscriberId: string): Promise<void>;
}

/** Reads the file once, to know who has strikes; each change is then a locked update. */
export async function openStrikeBook(
  path: string,
  now: () => Date = () => new Date(),
): Promise<StrikeBook> {
  const struck = new Set(
    Object.keys(parseStrikes(await readTextFile(path, path), path).subscribers),
  );
  const update = <T>(change: (data: StrikeFile) => { changed: boolean; result: T }) =>
    updateLockedFile({ path, label: path }, (text) => {
      const data = parseStrikes(text, path);
      const { changed, result } = change(data);
      return changed ? { text: serialize(data), result } : { result };
    });
  return {
    add(subscriberId, kind, failure) {
      struck.add(subscriberId);
      return update((data) => {
        const before = data.subscribers[subscriberId] ?? { hard: 0, soft: 0 };
        const record: StrikeRecord = {
          hard: before.hard + (kind === 'hard' ? 1 : 0),
          soft: before.soft + (kind === 'soft' ? 1 : 0),
          lastAt: now().toISOString(),
          lastCode: failure.code,
          lastResponse: failure.response,
        };
        data.subscribers[subscriberId] = record;
        return { changed: true, result: record };
      });
    },
    async clear(subscriberId) {
      if (!struck.has(subscriberId)) return;
      struck.delete(subscriberId);
      await update((data) => {
        if (!(subscriberId in data.subscribers)) return { changed: false, result: undefined };
        delete data.subscribers[subscriberId];
        return { changed: true, result: undefined };
      });
    },
  };
}
