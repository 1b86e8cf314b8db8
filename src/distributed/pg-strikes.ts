// Bounce strikes in PostgreSQL, the StrikeBook of src/delivery/strikes.ts: the same counts and
// limits, one row per struck address, each change one atomic statement (workers on several
// machines may strike the same address at once). A delivery that goes through deletes the row in
// the statement that records it sent (pg-ledger.ts recordSent), so `clear` is rarely needed.
import type { StrikeBook, StrikeRecord } from '../delivery/strikes.js';
import type { Queryable } from './queue.js';

export function createPgStrikeBook(db: Queryable): StrikeBook {
  return {
    async add(subscriberId, kind, failure) {
      const hard = kind === 'hard' ? 1 : 0;
      const soft = kind === 'soft' ? 1 : 0;
      const result = await db.query(
        `INSERT INTO bounce_strikes AS b (subscriber_id, hard, soft, last_at, last_code, last_response)
         VALUES ($1, $2, $3, now(), $4, $5)
         ON CONFLICT (subscriber_id) DO UPDATE SET
           hard = b.hard + EXCLUDED.hard, soft = b.soft + EXCLUDED.soft, last_at = EXCLUDED.last_at,
           last_code = EXCLUDED.last_code, last_response = EXCLUDED.last_response
         RETURNING hard, soft, last_at AS "lastAt", last_code AS "lastCode",
                   last_response AS "lastResponse"`,
        [subscriberId, hard, soft, failure.code, failure.response],
      );
      const row = result.rows[0] as Omit<StrikeRecord, 'lastAt'> & { lastAt: Date };
      return { ...row, lastAt: row.lastAt.toISOString() };
    },
    async clear(subscriberId) {
      await db.query('DELETE FROM bounce_strikes WHERE subscriber_id = $1', [subscriberId]);
    },
  };
}
