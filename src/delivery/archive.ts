// The web archive: each segment's email as `send` rendered it, without anything personal, in
// <dataDir>/archive/<date>/<segmentId>.html, with <date>/index.json listing the day's segments.
// The "View in browser" link of every email opens it (GET /issues/:date?segment=...).
//
// Personal values are replaced by neutral ones: no greeting, and the unsubscribe and preference
// links point at the archive's index, so no subscriber's token is ever written here.
import { mkdir, readdir, readFile } from 'node:fs/promises';
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
  /** Writes one segment's page and adds it to the day's index (atomically, one at a time). */
  write(date: string, segment: Segment, rendered: RenderedSegment): Promise<void>;
}

export function createArchiveWriter(options: { dataDir: string; baseUrl: string }): ArchiveWriter {
  // Writes of one process are serialized, so the index's read-modify-write loses nothing.
  let queue: Promise<void> = Promise.resolve();
  return {
    write(date, segment, rendered) {
      const run = async () => {
        if (!isArchiveDate(date) || !isSegmentId(segment.id)) return;
        const dir = join(archiveDir(options.dataDir), date);
        await mkdir(dir, { recursive: true });
        await writeFileAtomic(
          join(dir, `${segment.id}.html`),
          neutralHtml(rendered, options.baseUrl),
        );
        const entry: ArchivedSegment = {
          id: segment.id,
          subject: rendered.subject,
          topics: segment.settings.topics,
          papers: rendered.paperIds.length,
        };
        const segments = (await readIndex(dir)).filter((s) => s.id !== segment.id);
        segments.push(entry);
        segments.sort((a, b) => a.id.localeCompare(b.id));
        await writeFileAtomic(
          join(dir, ARCHIVE_INDEX),
          `${JSON.stringify({ date, segments }, null, 2)}\n`,
        );
      };
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
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
