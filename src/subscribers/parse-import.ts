// Reads an import file: JSON in the subscriber file's format (or a bare list of entries), or CSV
// with a header row (`email,name,topics`, plus any export column). Everything is validated before
// anything is imported, and every problem names its line.
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import { PaperboyError } from '../errors.js';
import { parseJsonText } from '../sources/parse-json-text.js';
import { invalidEntriesError, type LocateEntry, validateEntries } from '../stores/check-input.js';
import { createJsonLineFinder, type Problem } from '../stores/problems.js';
import { readSubscriberFile, type SubscriberFileData } from '../stores/subscriber-file.js';
import type { ValidEntry } from '../stores/subscriber-schema.js';
import { suggestClosest } from '../topics/suggest.js';
import {
  InvalidSettingError,
  parseFrequency,
  parseKeywordList,
  parseMaxPapers,
  parseTopicList,
} from './settings-text.js';

export interface ParsedImport {
  format: 'json' | 'csv';
  entries: ValidEntry[];
  /** Hashed suppressions of a JSON import: another list's purged addresses, not imported. */
  skippedSuppressions: number;
}

/** CSV columns, in the order `export --format csv` writes them. */
export const CSV_COLUMNS = [
  'email',
  'name',
  'topics',
  'keywords',
  'frequency',
  'maxPapers',
  'status',
  'id',
  'subscribedAt',
  'updatedAt',
  'unsubscribedAt',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
/** Written by an export for people to read; an import gives each subscriber its own. */
const INFORMATIONAL_COLUMNS: readonly CsvColumn[] = [
  'id',
  'subscribedAt',
  'updatedAt',
  'unsubscribedAt',
];

/** `Max Papers`, `max_papers` and `maxPapers` are one column. */
function columnKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text.replace(/^\uFEFF/, ''));
}

function parseJsonImport(text: string, label: string, topicIds: readonly string[]): ParsedImport {
  let value: unknown;
  try {
    value = parseJsonText(text.replace(/^\uFEFF/, ''), label);
  } catch (error) {
    throw new PaperboyError('invalidInput', (error as Error).message);
  }
  const lineOf = createJsonLineFinder(text.replace(/^\uFEFF/, ''));
  let list: unknown[];
  let prefix: PropertyKey[] = [];
  let skippedSuppressions = 0;
  if (Array.isArray(value)) {
    list = value;
  } else if (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { subscribers?: unknown }).subscribers)
  ) {
    const {
      subscribers,
      suppressions,
      version: _version,
      ...rest
    } = value as Record<string, unknown>;
    const unknownKey = Object.keys(rest)[0];
    if (unknownKey !== undefined) {
      const suggestion = suggestClosest(unknownKey, ['version', 'subscribers', 'suppressions']);
      throw new PaperboyError(
        'invalidInput',
        `${label}:${lineOf([unknownKey]) ?? 1}: unknown field "${unknownKey}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      );
    }
    list = subscribers as unknown[];
    prefix = ['subscribers'];
    skippedSuppressions = Array.isArray(suppressions) ? suppressions.length : 0;
  } else {
    throw new PaperboyError(
      'invalidInput',
      `${label}: expected { "subscribers": [...] } (the subscriber file's format) or a list of subscribers`,
    );
  }
  const locate: LocateEntry = (index, path) => {
    const full = [...prefix, index, ...path];
    return { path: full, line: lineOf(full) };
  };
  const { valid, problems } = validateEntries(list, topicIds, locate);
  if (problems.length > 0) throw invalidEntriesError(label, problems, topicIds);
  return { format: 'json', entries: valid as ValidEntry[], skippedSuppressions };
}

/** The header's columns, in file order; unknown or repeated columns are problems. */
function readHeader(header: readonly string[], problems: Problem[]): (CsvColumn | null)[] {
  const byKey = new Map(CSV_COLUMNS.map((column) => [columnKey(column), column]));
  const seen = new Set<CsvColumn>();
  const columns = header.map((name) => {
    const column = byKey.get(columnKey(name)) ?? null;
    if (column === null) {
      const suggestion = suggestClosest(name, CSV_COLUMNS);
      problems.push({
        path: [],
        line: 1,
        message: `unknown column "${name}" (${suggestion ? `did you mean "${suggestion}"?` : `known columns: ${CSV_COLUMNS.join(', ')}`})`,
      });
    } else if (seen.has(column)) {
      problems.push({ path: [], line: 1, message: `column "${name}" appears twice` });
    }
    if (column) seen.add(column);
    return column;
  });
  for (const required of ['email', 'topics'] as const) {
    if (!seen.has(required) && problems.length === 0) {
      problems.push({
        path: [],
        line: 1,
        message: `no "${required}" column; the first row must name the columns, e.g. email,name,topics`,
      });
    }
  }
  return columns;
}

/** Undoes export's escape_formulas: `'-survey` was written for spreadsheets, it means `-survey`. */
function unescapeFormula(cell: string): string {
  return cell.replace(/^'(?=[-=+@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/, '');
}

/** Cells in the flags' syntax; any other column is taken as written. */
const CELL_READERS: Partial<Record<CsvColumn, (cell: string) => Record<string, unknown>>> = {
  topics: (cell) => ({ topics: parseTopicList(cell) }),
  keywords: (cell) => ({ keywords: parseKeywordList(cell) }),
  frequency: (cell) => ({ ...parseFrequency(cell) }),
  maxPapers: (cell) => ({ maxPapers: parseMaxPapers(cell) }),
};

/** A CSV row as an entry, or null when a cell cannot be read (added to `problems`). */
function readRow(
  cells: readonly string[],
  columns: readonly (CsvColumn | null)[],
  line: number,
  problems: Problem[],
): Record<string, unknown> | null {
  const entry: Record<string, unknown> = {};
  let readable = true;
  columns.forEach((column, index) => {
    const cell = unescapeFormula(cells[index] ?? '');
    if (column === null || INFORMATIONAL_COLUMNS.includes(column)) return;
    // An empty optional cell is the default; empty email and topics are reported as missing.
    if (cell === '' && column !== 'email' && column !== 'topics') return;
    try {
      Object.assign(entry, CELL_READERS[column]?.(cell) ?? { [column]: cell });
    } catch (error) {
      if (!(error instanceof InvalidSettingError)) throw error;
      problems.push({ path: [column], line, message: error.message });
      readable = false;
    }
  });
  return readable ? entry : null;
}

function parseCsvImport(text: string, label: string, topicIds: readonly string[]): ParsedImport {
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    // info and raw change the result's shape; csv-parse's types do not follow.
    records = parseCsv(text.replace(/\r\n?/g, '\n'), {
      bom: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    const reason = error.message.replace(/ (?:on|at) line \d+.*$/, '');
    throw new PaperboyError('invalidInput', `${label}:${line ?? 1}: malformed CSV: ${reason}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new PaperboyError('invalidInput', `${label}: empty file: no subscribers`);
  const problems: Problem[] = [];
  const columns = readHeader(header.record, problems);
  if (problems.length > 0) throw invalidEntriesError(label, problems, topicIds);
  // A record ends on info.lines; a quoted cell may have spanned lines before that.
  const lines = rows.map(
    ({ info, raw }) =>
      info.lines - (raw.replace(/^\n+/, '').replace(/\n$/, '').match(/\n/g)?.length ?? 0),
  );
  const entries = rows.map((row, index) =>
    readRow(row.record, columns, lines[index] as number, problems),
  );
  const readable = entries.flatMap((entry, index) => (entry ? [{ entry, index }] : []));
  const locate: LocateEntry = (index, path) => ({
    // A CSV cell is named by its column: `topics`, not `topics[1]`.
    path: path.slice(0, 1),
    line: lines[readable[index]?.index ?? -1] ?? null,
  });
  const validated = validateEntries(
    readable.map(({ entry }) => entry),
    topicIds,
    locate,
  );
  for (const problem of validated.problems) problems.push(problem);
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw invalidEntriesError(label, problems, topicIds);
  }
  return { format: 'csv', entries: validated.valid as ValidEntry[], skippedSuppressions: 0 };
}

/**
 * Parses and validates an import file (`label` names it in messages). Throws PaperboyError:
 * 'invalidInput' (exit 4) listing every problem with its line, or 'config' (exit 5) when the only
 * problems are unknown topic ids.
 */
export function parseImportFile(
  text: string,
  label: string,
  topicIds: readonly string[],
): ParsedImport {
  if (text.trim() === '') {
    throw new PaperboyError('invalidInput', `${label}: empty file: no subscribers`);
  }
  return looksLikeJson(text)
    ? parseJsonImport(text, label, topicIds)
    : parseCsvImport(text, label, topicIds);
}

/**
 * Reads a file for `import --restore`: our subscriber file as it is (as `export` writes it, or
 * subscribers.json itself), ids, timestamps and hashed suppressions included, checked as a
 * subscriber file is on load. Throws PaperboyError('invalidInput') naming every problem.
 */
export function parseRestoreFile(
  text: string,
  label: string,
  topicIds: readonly string[],
): SubscriberFileData {
  const json = text.replace(/^\uFEFF/, '');
  if (json.trim() === '') {
    throw new PaperboyError('invalidInput', `${label}: empty file: no subscribers`);
  }
  if (!/^\s*\{/.test(json)) {
    throw new PaperboyError(
      'invalidInput',
      `${label}: --restore reads a subscriber file ({ "subscribers": [...], "suppressions": [...] }, as "export" writes it)`,
      { hint: 'a list of entries or CSV is imported without --restore' },
    );
  }
  try {
    return readSubscriberFile(json, label, topicIds);
  } catch (error) {
    if (!(error instanceof PaperboyError)) throw error;
    // The file's problems, as for a broken subscriber file, but an input's exit code.
    throw new PaperboyError('invalidInput', error.message, { hint: error.hint });
  }
}
