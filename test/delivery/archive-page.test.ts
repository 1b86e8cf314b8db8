// An archive page is written from the segment's parts: the bytes must be neutralHtml's, exactly.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArchiveWriter, neutralHtml } from '../../src/delivery/archive.js';
import type { Segment } from '../../src/plan/index.js';
import type { RenderedSegment } from '../../src/render/index.js';
import { createSlotMarkers, toSlotted } from '../../src/render/slots.js';

const BASE_URL = 'https://papers.example.org/';

function rendered(id: string, html: string): RenderedSegment {
  const markers = createSlotMarkers();
  const filled = html
    .replaceAll('{greeting}', markers.greeting)
    .replaceAll('{unsubscribe}', markers.unsubscribeUrl)
    .replaceAll('{preferences}', markers.preferencesUrl);
  return {
    segmentId: id,
    subject: 'Trending papers',
    preheader: '',
    html: toSlotted(filled, markers),
    text: toSlotted('', markers),
    paperIds: [],
  };
}

describe('archive pages', () => {
  it('are neutralHtml byte for byte: slots at either end, multi-byte text, a long page', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'paperboy-page-'));
    const writer = createArchiveWriter({ dataDir, baseUrl: BASE_URL });
    const pages = [
      '<p>{greeting}Hello — “Zoë” 論文 🚀</p><a href="{unsubscribe}">x</a><a href="{preferences}">y</a>',
      '{unsubscribe}<p>only slots</p>{greeting}',
      `<p>${'A long paper’s abstract. '.repeat(4000)}</p>{preferences}`,
      'no slots at all',
    ].map((html, index) => rendered(`seg_00000000000${index}`, html));
    for (const page of pages) {
      const segment = { id: page.segmentId, settings: { topics: ['llm'] } } as unknown as Segment;
      await writer.write('2025-10-31', segment, page);
    }
    await writer.flush();
    const day = join(dataDir, 'archive', '2025-10-31');
    const expected = pages.map((page) => Buffer.from(neutralHtml(page, BASE_URL), 'utf8'));
    expect(readFileSync(join(day, 'pages.pack'))).toEqual(Buffer.concat(expected));
    expect(neutralHtml(pages[0] as RenderedSegment, BASE_URL)).toContain(
      'href="https://papers.example.org/issues/"',
    );
  });
});
