import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordSentHistory, updateHistory } from '../../src/delivery/record-history.js';
import type { Plan, SendHistory } from '../../src/plan/index.js';

const plan = {
  date: '2025-10-31',
  options: { historyDays: 30 },
  segments: [
    { id: 'seg_sent', papers: [{ paperId: 'p1' }, { paperId: 'p2' }] },
    { id: 'seg_failed', papers: [{ paperId: 'p1' }] },
  ],
} as unknown as Plan;

describe('recording what was sent in the history', () => {
  it('records the segments someone received, not those nobody did, and prunes old sends', () => {
    const before: SendHistory = {
      version: 1,
      segments: { seg_old: { p0: '2025-09-01' }, seg_sent: { p9: '2025-10-20' } },
    };
    expect(updateHistory(before, plan, new Set(['seg_sent']))).toEqual({
      version: 1,
      segments: { seg_sent: { p1: '2025-10-31', p2: '2025-10-31', p9: '2025-10-20' } },
    });
  });

  it('writes the history file, and nothing when nothing was sent', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'paperboy-history-')), 'data', 'history.json');
    await recordSentHistory(path, plan, new Set());
    await expect(() => readFileSync(path)).toThrow();
    await recordSentHistory(path, plan, new Set(['seg_failed']));
    expect(JSON.parse(readFileSync(path, 'utf8')).segments).toEqual({
      seg_failed: { p1: '2025-10-31' },
    });
  });
});
