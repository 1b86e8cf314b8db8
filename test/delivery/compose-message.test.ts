import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  type ComposeMessageInput,
  composeMessage,
  domainOf,
  listIdFor,
} from '../../src/delivery/compose-message.js';

const UNSUBSCRIBE = 'https://papers.example.org/unsubscribe/tok_123?a=1&b=2';

function input(overrides: Partial<ComposeMessageInput> = {}): ComposeMessageInput {
  return {
    from: { name: 'Trending Papers', address: 'papers@example.org' },
    replyTo: 'editor@example.org',
    to: { name: 'Ada Lovelace', address: 'ada@example.org' },
    subject: 'TANGNN · Trending papers, Oct 31',
    date: new Date('2025-10-31T07:00:00.000Z'),
    messageId: '<2025-10-31.sub_1@example.org>',
    text: 'Trending papers\n\nUnsubscribe: https://papers.example.org/unsubscribe/tok_123?a=1&b=2\n',
    html: '<!doctype html><html><body><p>Trending papers</p></body></html>',
    unsubscribe: { url: UNSUBSCRIBE },
    listId: { name: 'Trending Papers', id: 'digest.example.org' },
    ...overrides,
  };
}

/** The header block, unfolded, as `name: value` lines. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString('utf8');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  return head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
}

function count(lines: string[], name: string): number {
  return lines.filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`)).length;
}

describe('composeMessage', () => {
  it('builds a message a mail parser reads back field for field', async () => {
    const raw = await composeMessage(input());
    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ name: 'Trending Papers', address: 'papers@example.org' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([
      { name: 'Ada Lovelace', address: 'ada@example.org' },
    ]);
    expect(mail.replyTo?.value).toEqual([{ name: '', address: 'editor@example.org' }]);
    expect(mail.subject).toBe('TANGNN · Trending papers, Oct 31');
    expect(mail.date?.toISOString()).toBe('2025-10-31T07:00:00.000Z');
    expect(mail.messageId).toBe('<2025-10-31.sub_1@example.org>');
    expect(mail.text).toBe(input().text);
    expect(mail.html).toContain('<p>Trending papers</p>');
    expect(mail.headers.get('list')).toEqual({
      unsubscribe: { url: UNSUBSCRIBE },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
      id: { name: 'Trending Papers', id: 'digest.example.org' },
    });
  });

  it('has each list and address header exactly once', async () => {
    const lines = headerLines(
      await composeMessage(
        input({ unsubscribe: { url: UNSUBSCRIBE, mailto: 'unsub@example.org' } }),
      ),
    );
    for (const name of [
      'List-Unsubscribe',
      'List-Unsubscribe-Post',
      'List-Id',
      'From',
      'To',
      'Reply-To',
      'Subject',
      'Date',
      'Message-ID',
    ]) {
      expect(count(lines, name), name).toBe(1);
    }
    expect(lines).toContain(`List-Unsubscribe: <${UNSUBSCRIBE}>, <mailto:unsub@example.org>`);
    expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(lines).toContain('List-ID: "Trending Papers" <digest.example.org>');
    expect(count(lines, 'Bcc') + count(lines, 'Cc')).toBe(0);
  });

  it('puts text/plain first, then text/html, in one multipart/alternative', async () => {
    const raw = (await composeMessage(input())).toString('utf8');
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    const plain = raw.indexOf('Content-Type: text/plain; charset=utf-8');
    const html = raw.indexOf('Content-Type: text/html; charset=utf-8');
    expect(plain).toBeGreaterThan(0);
    expect(html).toBeGreaterThan(plain);
    expect(raw).not.toMatch(/multipart\/mixed/);
    // CRLF line endings throughout: no bare LF.
    expect(raw).not.toMatch(/[^\r]\n/);
  });

  it('leaves Reply-To out when none is configured, and adds the brackets to a Message-ID', async () => {
    const raw = await composeMessage(input({ replyTo: null, messageId: 'abc.1@example.org' }));
    const lines = headerLines(raw);
    expect(count(lines, 'Reply-To')).toBe(0);
    expect((await simpleParser(raw)).messageId).toBe('<abc.1@example.org>');
  });

  it('encodes non-ASCII names and a bare address without a display name', async () => {
    const raw = await composeMessage(
      input({
        from: { name: 'Papers · Zoë', address: 'papers@example.org' },
        to: { address: 'x@example.org' },
        listId: { name: 'Papiers Zoë', id: 'digest.example.org' },
      }),
    );
    const named = await simpleParser(raw);
    expect(named.from?.value[0]?.name).toBe('Papers · Zoë');
    expect(named.to && !Array.isArray(named.to) ? named.to.text : null).toBe('x@example.org');
    // An RFC 2047 encoded word (mailparser leaves it encoded in List-Id; mail clients decode it).
    expect(headerLines(raw)).toContain(
      'List-ID: =?UTF-8?Q?Papiers_Zo=C3=AB?= <digest.example.org>',
    );
  });

  it.each([
    ['an http unsubscribe URL', { unsubscribe: { url: 'http://papers.example.org/u/1' } }],
    ['a relative unsubscribe URL', { unsubscribe: { url: '/unsubscribe/1' } }],
    [
      'a header break in the unsubscribe URL',
      { unsubscribe: { url: 'https://papers.example.org/u\r\nBcc: eve@example.org' } },
    ],
    ['a > in the unsubscribe URL', { unsubscribe: { url: 'https://papers.example.org/u>, <x' } }],
    [
      'a mailto with a header break',
      { unsubscribe: { url: UNSUBSCRIBE, mailto: 'a@example.org\r\nBcc: eve@example.org' } },
    ],
    ['a List-Id that is not domain-like', { listId: { name: 'x', id: 'digest example.org>' } }],
  ])('refuses %s', async (_what, overrides) => {
    await expect(composeMessage(input(overrides as Partial<ComposeMessageInput>))).rejects.toThrow(
      TypeError,
    );
  });

  it('derives the List-Id from the sender domain', () => {
    expect(domainOf('Papers@Example.ORG')).toBe('example.org');
    expect(listIdFor({ name: 'Trending Papers', address: 'papers@news.example.org' })).toEqual({
      name: 'Trending Papers',
      id: 'digest.news.example.org',
    });
  });
});
