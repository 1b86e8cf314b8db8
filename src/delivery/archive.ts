// The web archive: each segment's email as `send` rendered it, without anything personal, under
// <dataDir>/archive/<date>/, with index.json listing the day's segments. The "View in browser"
// link of every email opens it (GET /issues/:date?segment=...).
//
// A day's pages are appended to one file, pages.pack, and pages.idx has a line for each
// (`<segmentId> <offset> <length>`). A file per page cost far more than the page: with the machine
// busy sending, creating and renaming a 26 KB file took 0.4-0.5 ms of kernel time, appending it
// 0.03 ms (measured on the 2-core VM; a 100k send archives about 8,000 pages). Appending is also
// safe without a rename: a page's index line is written after its bytes, so a line points at a
// whole page; a line a crash tore (no newline) is never read, and is cut off before the next run
// appends. When an issue is sent again its pages are appended again, and the newest line for a
// segment wins. Days archived before the pack (a <segmentId>.html file per page) are still served.
//
// Personal values are replaced by neutral ones: no greeting, and the unsubscribe and preference
// links point at the archive's index, so no subscriber's token is ever written here.
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Segment } from '../plan/index.js';
import { escapeHtml, type RenderedSegment } from '../render/index.js';
import { filledParts } from '../render/slots.js';
import { prettyJsonWithArray } from '../stores/json-pieces.js';
import { writePiecesAtomically } from '../stores/write-pieces.js';
import { cutTornLine } from './cut-torn-line.js';
import { createUtf8Joiner } from './utf8-scratch.js';

export const ARCHIVE_DIR = 'archive';
export const ARCHIVE_INDEX = 'index.json';
/** A day's pages, back to back. */
export const ARCHIVE_PACK = 'pages.pack';
/** Where each page is in the pack: a `<segmentId> <offset> <length>` line per page. */
export const ARCHIVE_PAGE_INDEX = 'pages.idx';

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

/** The segment's HTML with neutral values in place of the recipient's, as parts (slots.ts). */
function neutralParts(rendered: RenderedSegment, baseUrl: string): string[] {
  const index = `${baseUrl.replace(/\/+$/, '')}/issues/`;
  const values = { greeting: '', unsubscribeUrl: index, preferencesUrl: index };
  return filledParts(rendered.html, values, escapeHtml);
}

/** The segment's HTML with neutral values in place of the recipient's. */
export function neutralHtml(rendered: RenderedSegment, baseUrl: string): string {
  return neutralParts(rendered, baseUrl).join('');
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

/** A day's pack and page index, open for appending. */
interface OpenDay {
  pack: number;
  pageIndex: number;
  /** Where the next page starts. One writer per day: `send` holds the lock. */
  packLength: number;
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

/** Opens a day's files for appending, with a page index line a crash tore cut off first. */
function openDay(dir: string): OpenDay {
  mkdirSync(dir, { recursive: true });
  const pack = openSync(join(dir, ARCHIVE_PACK), 'a');
  let pageIndex: number | null = null;
  try {
    pageIndex = openSync(join(dir, ARCHIVE_PAGE_INDEX), 'a+');
    // Ended with a newline instead, "seg_b 8 1" (cut from "seg_b 8 12") would read as whole.
    cutTornLine(pageIndex);
    return { pack, pageIndex, packLength: fstatSync(pack).size };
  } catch (error) {
    closeSync(pack);
    if (pageIndex !== null) closeSync(pageIndex);
    throw error;
  }
}

function closeDay(day: OpenDay): void {
  closeSync(day.pack);
  closeSync(day.pageIndex);
}

/**
 * Pages are appended as segments are rendered, synchronously: an append costs less than a trip to
 * the thread pool. The day's index.json is written once, when the run flushes: a large list has
 * thousands of segments, and rewriting it after each would cost the square of their number. A
 * page whose entry a crash lost is still served (readArchiveDay lists the pages index.json does
 * not). No fsync: a page can always be rendered again.
 */
export function createArchiveWriter(options: { dataDir: string; baseUrl: string }): ArchiveWriter {
  const days = new Map<string, OpenDay>();
  const pending = new Map<string, Map<string, ArchivedSegment>>();
  // Each distinct subject once: a day's subject is its top paper's title, so thousands of
  // segments share a few dozen (at 100,000 subscribers, 20 among 7,955 segments: 1.7 MB of copies
  // held to the end of the send).
  const subjects = new Map<string, string>();
  /** A page's bytes, until the next page: they are only written to the pack. */
  const utf8 = createUtf8Joiner();

  function appendPage(date: string, segment: Segment, rendered: RenderedSegment): void {
    let day = days.get(date);
    if (!day) {
      day = openDay(join(archiveDir(options.dataDir), date));
      days.set(date, day);
    }
    const page = utf8(neutralParts(rendered, options.baseUrl));
    try {
      writeAll(day.pack, page);
      writeAll(day.pageIndex, Buffer.from(`${segment.id} ${day.packLength} ${page.length}\n`));
    } catch (error) {
      // Part of the page may be in the pack: the next page reopens the day to learn its length.
      days.delete(date);
      closeDay(day);
      throw error;
    }
    day.packLength += page.length;
    const entries = pending.get(date) ?? new Map<string, ArchivedSegment>();
    pending.set(date, entries);
    let subject = subjects.get(rendered.subject);
    if (subject === undefined) {
      subject = rendered.subject;
      subjects.set(subject, subject);
    }
    entries.set(segment.id, {
      id: segment.id,
      subject,
      topics: segment.settings.topics,
      papers: rendered.paperIds.length,
    });
  }

  return {
    async write(date, segment, rendered) {
      if (isArchiveDate(date) && isSegmentId(segment.id)) appendPage(date, segment, rendered);
    },
    async flush() {
      for (const [date, day] of days) {
        days.delete(date);
        closeDay(day);
      }
      subjects.clear();
      for (const [date, entries] of pending) {
        pending.delete(date);
        const dir = join(archiveDir(options.dataDir), date);
        const segments = (await readIndex(dir)).filter((s) => !entries.has(s.id));
        for (const entry of entries.values()) segments.push(entry);
        segments.sort((a, b) => a.id.localeCompare(b.id));
        // A piece at a time: at 100,000 subscribers a day has thousands of segments.
        await writePiecesAtomically(
          join(dir, ARCHIVE_INDEX),
          prettyJsonWithArray({ date }, 'segments', segments),
        );
      }
    },
  };
}

interface PagePlace {
  offset: number;
  length: number;
}

const PAGE_INDEX_LINE = /^(seg_[A-Za-z0-9_-]{1,64}) (\d+) (\d+)$/;

/**
 * Where each of a day's pages is in its pack (the newest line for a segment wins); empty when the
 * day has no pack. A line must end with a newline and point inside the pack to count.
 */
async function readPagePlaces(dir: string): Promise<Map<string, PagePlace>> {
  const places = new Map<string, PagePlace>();
  let text: string;
  let packLength: number;
  try {
    text = await readFile(join(dir, ARCHIVE_PAGE_INDEX), 'latin1');
    packLength = (await stat(join(dir, ARCHIVE_PACK))).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return places;
    throw error;
  }
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a line a crash tore
  for (const line of lines) {
    const match = PAGE_INDEX_LINE.exec(line);
    if (!match) continue;
    const offset = Number(match[2]);
    const length = Number(match[3]);
    if (offset + length <= packLength) places.set(match[1] as string, { offset, length });
  }
  return places;
}

/** The ids of the day's pages written one file each, as before the pack. */
function pageFileIds(files: string[]): string[] {
  return files
    .filter((f) => f.endsWith('.html'))
    .map((f) => f.slice(0, -'.html'.length))
    .filter(isSegmentId);
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
  const pages = new Set([...(await readPagePlaces(dir)).keys(), ...pageFileIds(files)]);
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
  const dir = join(archiveDir(dataDir), date);
  const place = (await readPagePlaces(dir)).get(segmentId);
  if (place) {
    const pack = await open(join(dir, ARCHIVE_PACK), 'r');
    try {
      const page = Buffer.alloc(place.length);
      const { bytesRead } = await pack.read(page, 0, place.length, place.offset);
      return page.subarray(0, bytesRead).toString('utf8');
    } finally {
      await pack.close();
    }
  }
  try {
    return await readFile(join(dir, `${segmentId}.html`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
