import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../src/delivery/compose-message.js';
import { encodeQuotedPrintable } from '../../src/delivery/quoted-printable.js';
import {
  createSegmentMessage,
  encodeSlotValue,
  type RecipientMessageInput,
  type SegmentMessageBuilder,
  type SegmentMessageInput,
} from '../../src/delivery/segment-mime.js';
import { joinPieces } from '../../src/delivery/transport.js';
import { personalize, type RenderedSegment } from '../../src/render/index.js';
import { createSlotMarkers, toSlotted } from '../../src/render/slots.js';
import { seededRandom } from '../helpers.js';

const markers = createSlotMarkers();
const long = 'word '.repeat(40);

/**
 * A segment's email with everything quoted-printable finds hard: lines far over 76 columns,
 * non-ASCII, "=" signs, trailing spaces before a line break, lines starting with a dot, slots at
 * the start, middle and end of a line and next to each other.
 */
function renderedSegment(): RenderedSegment {
  const text = [
    `${markers.greeting}here are today's papers.`,
    `Über große Modelle: 3.4% = better ${long}`,
    '.a line that starts with a dot   ',
    `Unsubscribe: ${markers.unsubscribeUrl}`,
    `${markers.preferencesUrl}${markers.unsubscribeUrl}`,
    'trailing space before a break \nlast line',
  ].join('\n');
  const html = `<!doctype html><html><body><p class="x" style="a:b">${markers.greeting}中文标题 🚀 ${long}</p><a href="${markers.unsubscribeUrl}">Unsubscribe</a>\n.<a href="${markers.preferencesUrl}">Topics</a></body></html>`;
  return {
    segmentId: 'seg_1',
    subject: 'Über · Trending papers, Oct 31',
    preheader: '',
    html: toSlotted(html, markers),
    text: toSlotted(text, markers),
    paperIds: [],
  };
}

function segmentInput(overrides: Partial<SegmentMessageInput> = {}): SegmentMessageInput {
  return {
    from: { name: 'Trending Papers', address: 'papers@example.org' },
    replyTo: 'editor@example.org',
    subject: 'Über · Trending papers, Oct 31',
    listId: { name: 'Trending Papers', id: 'digest.example.org' },
    rendered: renderedSegment(),
    unsubscribeMailto: 'unsubscribe@example.org',
    ...overrides,
  };
}

const RECIPIENTS: { name: string | null; address: string }[] = [
  { name: 'Ada Lovelace', address: 'ada@example.org' },
  { name: null, address: 'Alan.Turing@Example.org' },
  { name: 'José Núñez', address: 'jose@example.com' },
  { name: '王小明', address: 'wang@example.net' },
  { name: 'Li, Wei', address: 'li.wei+papers@example.org' },
  { name: 'O"Brien <admin>', address: 'ob@bücher.de' },
  {
    name: 'A very long display name that certainly needs folding somewhere',
    address: 'x@example.org',
  },
];

function recipient(index: number): RecipientMessageInput {
  const to = RECIPIENTS[index % RECIPIENTS.length] as (typeof RECIPIENTS)[number];
  return {
    to,
    name: to.name,
    messageId: `<2025-10-31.sub_${index}@example.org>`,
    date: new Date('2025-10-31T07:00:00.000Z'),
    unsubscribeUrl: `https://papers.example.org/unsubscribe/v1.k1.${index}abc_DEF-ghi?a=1&b=2`,
    preferencesUrl: `https://papers.example.org/preferences/v1.k1.${index}xyz`,
  };
}

/** What composeMessage builds for the same recipient: the reference. */
async function reference(input: SegmentMessageInput, r: RecipientMessageInput): Promise<Buffer> {
  const email = personalize(input.rendered, {
    name: r.name,
    unsubscribeUrl: r.unsubscribeUrl,
    preferencesUrl: r.preferencesUrl,
  });
  return composeMessage({
    from: input.from,
    replyTo: input.replyTo ?? null,
    to: r.to,
    subject: input.subject,
    date: r.date,
    messageId: r.messageId,
    text: email.text,
    html: email.html,
    unsubscribe: { url: r.unsubscribeUrl, mailto: input.unsubscribeMailto },
    listId: input.listId,
  });
}

/** The header block with the multipart boundary (random per message) replaced. */
function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  const boundary = /boundary="([^"]+)"/.exec(text)?.[1] ?? 'none';
  return text.slice(0, text.indexOf('\r\n\r\n')).replaceAll(boundary, 'BOUNDARY');
}

/** The builder's pieces as the one message a transport sends. */
function joined(build: SegmentMessageBuilder): (r: RecipientMessageInput) => Buffer {
  return (r) => joinPieces(build(r));
}

describe('createSegmentMessage', () => {
  it('writes the same headers as composeMessage, byte for byte, and the same decoded bodies', async () => {
    const input = segmentInput();
    const build = joined(await createSegmentMessage(input));
    for (let i = 0; i < RECIPIENTS.length; i++) {
      const r = recipient(i);
      const fast = build(r);
      const slow = await reference(input, r);
      expect(headerBlock(fast)).toBe(headerBlock(slow));
      const [got, want] = await Promise.all([simpleParser(fast), simpleParser(slow)]);
      expect(got.text).toBe(want.text);
      expect(got.html).toBe(want.html);
      expect(got.to).toEqual(want.to);
      expect(got.headers.get('list-unsubscribe')).toEqual(want.headers.get('list-unsubscribe'));
    }
  });

  it('fills each recipient’s own links and greeting, nothing of another’s', async () => {
    const build = joined(await createSegmentMessage(segmentInput()));
    const first = await simpleParser(build(recipient(0)));
    const second = await simpleParser(build(recipient(2)));
    expect(first.text).toContain('Hi Ada Lovelace, here are');
    expect(first.text).toContain(recipient(0).unsubscribeUrl);
    expect(first.text).not.toContain(recipient(2).unsubscribeUrl);
    expect(second.text).toContain('Hi José Núñez, here are');
    expect(second.html).toContain('href="https://papers.example.org/preferences/v1.k1.2xyz"');
    expect(second.html).toContain(recipient(2).unsubscribeUrl.replaceAll('&', '&amp;'));
    const noName = await simpleParser(build(recipient(1)));
    expect(noName.text?.startsWith('here are')).toBe(true);
  });

  it('keeps every quoted-printable body line within 76 characters, none starting with a dot', async () => {
    const build = joined(await createSegmentMessage(segmentInput()));
    const raw = build(recipient(6)).toString('latin1');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const longest = Math.max(...body.split('\r\n').map((line) => line.length));
    expect(longest).toBeLessThanOrEqual(76);
    expect(body).not.toMatch(/[^\r]\n/);
    // Nothing for SMTP to dot-stuff (quoted-printable.ts writes such a dot =2E).
    expect(body).not.toMatch(/(^|\n)\./);
  });

  it('writes the Date of each message, to the second', async () => {
    const build = joined(await createSegmentMessage(segmentInput()));
    const at = (iso: string) => ({ ...recipient(0), date: new Date(iso) });
    const a = await simpleParser(build(at('2025-10-31T07:00:00.900Z')));
    const b = await simpleParser(build(at('2025-10-31T07:00:05.000Z')));
    expect(a.date?.toISOString()).toBe('2025-10-31T07:00:00.000Z');
    expect(b.date?.toISOString()).toBe('2025-10-31T07:00:05.000Z');
  });

  it('leaves out Reply-To and the mailto target when there are none, as composeMessage does', async () => {
    const input = segmentInput({ replyTo: null, unsubscribeMailto: null });
    const build = joined(await createSegmentMessage(input));
    const r = recipient(3);
    expect(headerBlock(build(r))).toBe(headerBlock(await reference(input, r)));
    expect(headerBlock(build(r))).not.toContain('Reply-To');
  });

  it('writes To and Message-ID as composeMessage does for 600 random recipients (fast path or not)', async () => {
    const next = seededRandom(11);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const word = () =>
      Array.from({ length: 1 + Math.floor(next() * 9) }, () =>
        pick(['a', 'Z', '0', '_', 'é', '"', ',', '.', '-', '<', '王']),
      ).join('');
    const input = segmentInput();
    const build = joined(await createSegmentMessage(input));
    for (let n = 0; n < 600; n++) {
      const local = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        pick(['ada', 'A.Turing', 'x+y', "o'brien", 'a_b', '', 'josé']),
      ).join(pick(['.', '', '-']));
      const domain = pick([
        'example.org',
        'Example.ORG',
        'bücher.de',
        'xn--bcher-kva.de',
        'sub.example.co.uk',
        '-bad-.example',
        'a-very-long-subdomain-name-for-testing.example.org',
      ]);
      const name =
        next() < 0.3
          ? null
          : Array.from({ length: 1 + Math.floor(next() * 4) }, word).join(pick([' ', '  ', ' ']));
      const r: RecipientMessageInput = {
        ...recipient(n),
        to: { name, address: `${local || 'x'}@${domain}` },
        name,
        messageId: pick([`<2025-10-31.sub_${n}@example.org>`, `<2025-10-31.sub_${n}@Bücher.de>`]),
      };
      const fast = headerBlock(build(r));
      const slow = headerBlock(await reference(input, r));
      if (fast !== slow) expect({ r, fast }).toEqual({ r, fast: slow });
    }
  });

  it('passes slot values that encode to themselves through, and encodes the rest', () => {
    const next = seededRandom(12);
    const alphabet = ['a', 'Z', '9', ' ', '=', '\t', '.', '/', '?', '&', '\u00e9', '~', '-'];
    // Links and names as they come (printable, often longer than a line), and anything else.
    const printable = ['a', 'Z', '9', ' ', '.', '/', '?', '&', '~', '-', '_'];
    for (let n = 0; n < 10_000; n++) {
      const letters = n % 2 === 0 ? printable : alphabet;
      const length = Math.floor(next() * (n % 3 === 0 ? 320 : 90));
      const value = Array.from({ length }, () => pick(letters)).join('');
      expect(encodeSlotValue(value)).toBe(encodeQuotedPrintable(value).toString('latin1'));
    }
    const link = `https://papers.example.org/unsubscribe/k1.sub_9f2c1a7e5b03d861.${'Q'.repeat(43)}`;
    expect(encodeSlotValue(link)).toBe(`${link.slice(0, 75)}=\r\n${link.slice(75)}`);
    function pick(items: readonly string[]): string {
      return items[Math.floor(next() * items.length)] as string;
    }
  });
});
