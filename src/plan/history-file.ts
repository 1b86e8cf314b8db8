// The send history on disk: one small JSON file (SendHistory) in the data folder. The send step
// reads it before planning and writes it after sending; everything else about history is pure
// (history.ts).
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { PaperboyError } from '../errors.js';
import { parseYmd } from '../sources/dates.js';
import { formatZodIssue } from '../sources/json-path.js';
import { parseJsonText } from '../sources/parse-json-text.js';
import { prettyJsonWithRecord } from '../stores/json-pieces.js';
import { writePiecesAtomically } from '../stores/write-pieces.js';
import { emptyHistory, type SegmentSends } from './history.js';
import type { SendHistory } from './types.js';

export const HISTORY_FILE = 'history.json';

/**
 * The history's shape. A history of thousands of segments repeats a few dozen dates, so each
 * distinct date is checked once per read (parseYmd is a date-fns parse and format).
 */
function historySchema() {
  const days = new Map<string, boolean>();
  const isDay = (text: string) => {
    let valid = days.get(text);
    if (valid === undefined) {
      valid = parseYmd(text) !== null;
      days.set(text, valid);
    }
    return valid;
  };
  const ymd = z.string().refine(isDay, 'expected a date as YYYY-MM-DD');
  return z.strictObject({
    version: z.literal(1),
    segments: z.record(z.string(), z.record(z.string(), ymd)),
  });
}

// Deleting the file is always a way out, but it has a cost the person should know about.
const RESET_HINT =
  'fix the file, or delete it to start a fresh history (papers sent recently may then be sent again)';

/** Reads the history at `path`; a missing file is an empty history (the first run). */
export async function readHistory(path: string): Promise<SendHistory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyHistory();
    throw new PaperboyError('store', `${path}: send history cannot be read (${code})`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = parseJsonText(text, path);
  } catch (error) {
    // parseJsonText names the place (path:line:column); the kind is ours: broken state, not input.
    throw new PaperboyError('store', (error as Error).message, {
      hint: RESET_HINT,
    });
  }
  const result = historySchema().safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${formatZodIssue(issue)}`);
    throw new PaperboyError(
      'store',
      `${path}: not a valid send history: ${problems.length} problem(s):\n${problems.join('\n')}`,
      { hint: RESET_HINT },
    );
  }
  return result.data;
}

/**
 * The file's text, a segment at a time: `JSON.stringify({ version: 1, segments }, null, 2)` and a
 * newline for the history with these segment entries, never whole (a history of thousands of
 * segments is megabytes).
 */
export function historyText(segments: Iterable<[string, SegmentSends]>): Iterable<string> {
  return prettyJsonWithRecord({ version: 1 }, 'segments', segments);
}

/**
 * Writes a history atomically (a temporary file renamed over the old one), so a crash leaves the
 * old history or the new one, never half of one. Creates the folder when needed. The segment
 * entries are read as they are written, so they may be made one at a time (recordedAndPruned).
 */
export async function writeHistorySegments(
  path: string,
  segments: Iterable<[string, SegmentSends]>,
): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writePiecesAtomically(path, historyText(segments));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PaperboyError('store', `${path}: send history cannot be written (${code})`, {
      cause: error,
    });
  }
}

/** writeHistorySegments for a whole history. */
export function writeHistory(path: string, history: SendHistory): Promise<void> {
  return writeHistorySegments(path, Object.entries(history.segments));
}
