// The web archive in PostgreSQL (table archive_pages): the ArchiveWriter and ArchiveReader of
// src/delivery/archive.ts with a row per page instead of a file, so a page a worker wrote on one
// machine is served by every `serve` instance. The same neutral HTML as the file archive
// (neutralHtml: no greeting, no token in any link); a rerun of the issue writes the row again.
import {
  type ArchiveDay,
  type ArchivedSegment,
  type ArchiveReader,
  type ArchiveWriter,
  isArchiveDate,
  isSegmentId,
  neutralHtml,
} from '../delivery/archive.js';
import type { Queryable } from './queue.js';

/**
 * Each page is one upsert, made when the worker renders the segment (once per worker and
 * segment); there is no index to merge, so `flush` has nothing left to do.
 */
export function createPgArchiveWriter(db: Queryable, options: { baseUrl: string }): ArchiveWriter {
  return {
    async write(date, segment, rendered) {
      if (!isArchiveDate(date) || !isSegmentId(segment.id)) return;
      const { topics } = segment.settings;
      await db.query(
        `INSERT INTO archive_pages (issue, segment_id, subject, all_topics, topics, papers, html)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (issue, segment_id) DO UPDATE SET
           subject = EXCLUDED.subject, all_topics = EXCLUDED.all_topics,
           topics = EXCLUDED.topics, papers = EXCLUDED.papers, html = EXCLUDED.html,
           written_at = now()`,
        [
          date,
          segment.id,
          rendered.subject,
          topics === 'all',
          topics === 'all' ? [] : topics,
          rendered.paperIds.length,
          neutralHtml(rendered, options.baseUrl),
        ],
      );
    },
    async flush() {},
  };
}

export function createPgArchiveReader(db: Queryable): ArchiveReader {
  return {
    async listDates() {
      const { rows } = await db.query(
        'SELECT DISTINCT issue FROM archive_pages ORDER BY issue DESC',
      );
      return (rows as { issue: string }[]).map((row) => row.issue);
    },
    async readDay(date): Promise<ArchiveDay | null> {
      if (!isArchiveDate(date)) return null;
      const { rows } = await db.query(
        `SELECT segment_id, subject, all_topics, topics, papers FROM archive_pages
         WHERE issue = $1 ORDER BY segment_id`,
        [date],
      );
      if (rows.length === 0) return null;
      const segments = (
        rows as {
          segment_id: string;
          subject: string;
          all_topics: boolean;
          topics: string[];
          papers: number;
        }[]
      ).map(
        (row): ArchivedSegment => ({
          id: row.segment_id,
          subject: row.subject,
          topics: row.all_topics ? 'all' : row.topics,
          papers: row.papers,
        }),
      );
      return { date, segments };
    },
    async readSegment(date, segmentId) {
      if (!isArchiveDate(date) || !isSegmentId(segmentId)) return null;
      const { rows } = await db.query(
        'SELECT html FROM archive_pages WHERE issue = $1 AND segment_id = $2',
        [date, segmentId],
      );
      return (rows[0] as { html: string } | undefined)?.html ?? null;
    },
  };
}
