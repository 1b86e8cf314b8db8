// The web archive: each segment's email as `send` rendered it, without anything personal, in
// <dataDir>/archive/<date>/<segmentId>.html, with <date>/index.json listing the day's segments.
// The "View in browser" link of every email opens it (GET /issues/:date?segment=...).
//
// Personal values are replaced by neutral ones: no greeting, and the unsubscribe and preference
// links point at the archive's index, so no subscriber's token is ever written here.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Segment } from '../plan/index.js';
import { escapeHtml, type RenderedSegment } from '../render/index.js';
import { fillSlots } from '../render/slots.js';

export const ARCHIVE_DIR = 'archive';
export const ARCHIVE_INDEX = 'index.json';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SEGMENT_ID = /^seg_[A-Za-z0-9_-]{1,64}$/;

export interface ArchivedSegment {
  id: string;
  subject: string;
  /** Topic ids, or `all`. */
  topics: string[] | 'all';
  /** Papers shown in the email. */
  papers: number;
}

export interface ArchiveDay {
  date: string;
  segments: ArchivedSegment[];
}

/**
 * What the web pages read of the archive: this folder's functions below, or with DATABASE_URL
 * the archive_pages table (src/distributed/pg-archive.ts).
 */
export interface ArchiveReader {
  /** Archived dates, newest first. */
  listDates(): Promise<string[]>;
  /** One day's segments; null when none. */
  readDay(date: string): Promise<ArchiveDay | null>;
  /** A segment's archived HTML, or null. */
  readSegment(date: string, segmentId: string): Promise<string | null>;
}

export function archiveDir(dataDir: string): string {
  return join(dataDir, ARCHIVE_DIR);
}

export function isArchiveDate(value: string): boolean {
  return DATE.test(value);
}

export function isSegmentId(value: string): boolean {
  return SEGMENT_ID.test(value);
}

/** The segment's HTML with neutral values in place of the recipient's. */
export function neutralHtml(rendered: RenderedSegment, baseUrl: string): string {
  const index = `${baseUrl.replace(/\/+$/, '')}/issues/`;
  return fillSlots(
    rendered.html,
    { greeting: '', unsubscribeUrl: index, preferencesUrl: index },
    escapeHtml,
  );
}

async function readIndex(dir: string): Promise<ArchivedSegment[]> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, ARCHIVE_INDEX), 'utf8')) as {
      segments?: ArchivedSegment[];
    };
    return Array.isArray(parsed.segments) ? parsed.segments : [];
  } catch {
    return [];
  }
}

export interface ArchiveWriter {
  /** Writes one segment's page; its index entry is kept for `flush`. */
  write(date: string, segment: Segment, rendered: RenderedSegment): Promise<void>;
  /** Merges the entries written since the last flush into each day's index.json. */
  flush(): Promise<void>;
}

/** Page writes running at once before `write` waits: the delivery does not wait on the disk. */
const PAGES_IN_FLIGHT = 16;

/**
 * Pages are written in the background as segments are rendered (a few at a time, so memory stays
 * bounded); the day's index once, when the run flushes. A large list has thousands of segments,
 * and rewriting the index after each would cost the square of their number. A page whose entry a
 * crash lost is still served (readArchiveDay lists pages the index does not), and the next send of
 * the issue writes it again. No fsync: a page can always be rendered again.
 */
export function createArchiveWriter(options: { dataDir: string; baseUrl: string }): ArchiveWriter {
  const made = new Map<string, Promise<unknown>>();
  const pending = new Map<string, Map<string, ArchivedSegment>>();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  /** A background write's error, reported by the next call (once). */
  const rethrow = () => {
    if (failure === null) return;
    const { error } = failure;
    failure = null;
    throw error;
  };

  async function writePage(dir: string, date: string, segment: Segment, rendered: RenderedSegment) {
    let dirMade = made.get(dir);
    if (!dirMade) {
      dirMade = mkdir(dir, { recursive: true });
      made.set(dir, dirMade);
    }
    await dirMade;
    // Written whole under a temporary name, then renamed: a reader never sees half a page. (Not
    // write-file-atomic here: its ownership and realpath checks cost more than the page.)
    const page = join(dir, `${segment.id}.html`);
    const temporary = `${page}.${process.pid}.tmp`;
    await writeFile(temporary, neutralHtml(rendered, options.baseUrl));
    await rename(temporary, page);
    const day = pending.get(date) ?? new Map<string, ArchivedSegment>();
    pending.set(date, day);
    day.set(segment.id, {
      id: segment.id,
      subject: rendered.subject,
      topics: segment.settings.topics,
      papers: rendered.paperIds.length,
    });
  }

  return {
    async write(date, segment, rendered) {
      if (isArchiveDate(date) && isSegmentId(segment.id)) {
        const dir = join(archiveDir(options.dataDir), date);
        const task: Promise<void> = writePage(dir, date, segment, rendered)
          .catch((error: unknown) => {
            made.delete(dir);
            failure ??= { error };
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= PAGES_IN_FLIGHT) await Promise.race(inFlight);
      }
      // An earlier page's failure (its path names it) is reported after this page is under way:
      // reporting it first would skip this page.
      rethrow();
    },
    async flush() {
      await Promise.all(inFlight);
      for (const [date, entries] of pending) {
        pending.delete(date);
        const dir = join(archiveDir(options.dataDir), date);
        const segments = (await readIndex(dir)).filter((s) => !entries.has(s.id));
        for (const entry of entries.values()) segments.push(entry);
        segments.sort((a, b) => a.id.localeCompare(b.id));
        await writeFileAtomic(
          join(dir, ARCHIVE_INDEX),
          `${JSON.stringify({ date, segments }, null, 2)}\n`,
        );
      }
      rethrow();
    },
  };
}

/** Archived dates, newest first. */
export async function listArchiveDates(dataDir: string): Promise<string[]> {
  try {
    const entries = await readdir(archiveDir(dataDir), { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && isArchiveDate(entry.name))
      .map((entry) => entry.name)
      .sort()
      .reverse();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** One day's segments (from index.json, plus any page it does not list); null when none. */
export async function readArchiveDay(dataDir: string, date: string): Promise<ArchiveDay | null> {
  if (!isArchiveDate(date)) return null;
  const dir = join(archiveDir(dataDir), date);
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pages = new Set(
    files
      .filter((f) => f.endsWith('.html'))
      .map((f) => f.slice(0, -'.html'.length))
      .filter(isSegmentId),
  );
  const listed = (await readIndex(dir)).filter((s) => pages.has(s.id));
  const known = new Set(listed.map((s) => s.id));
  const segments = [
    ...listed,
    ...[...pages]
      .filter((id) => !known.has(id))
      .map((id): ArchivedSegment => ({ id, subject: id, topics: [], papers: 0 })),
  ];
  if (segments.length === 0) return null;
  return { date, segments };
}

/** A segment's archived HTML, or null. */
export async function readArchivedSegment(
  dataDir: string,
  date: string,
  segmentId: string,
): Promise<string | null> {
  if (!isArchiveDate(date) || !isSegmentId(segmentId)) return null;
  try {
    return await readFile(join(archiveDir(dataDir), date, `${segmentId}.html`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
