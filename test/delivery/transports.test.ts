import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../src/delivery/compose-message.js';
import { createOutboxTransport } from '../../src/delivery/outbox-transport.js';
import { describeSmtpUrl } from '../../src/delivery/smtp-transport.js';
import { outgoingMessage } from '../../src/delivery/transport.js';

async function message() {
  const raw = await composeMessage({
    from: { name: 'Trending Papers', address: 'papers@example.org' },
    to: { name: 'Ada', address: 'ada@example.org' },
    subject: 'Trending papers, Oct 31',
    date: new Date('2025-10-31T07:00:00.000Z'),
    messageId: '<2025-10-31.sub_1@example.org>',
    text: 'text',
    html: '<p>html</p>',
    unsubscribe: { url: 'https://papers.example.org/unsubscribe/k1.sub_1.sig' },
    listId: { name: 'Trending Papers', id: 'digest.example.org' },
  });
  // In pieces, as the message builder hands them over: the transports join them.
  const half = Math.floor(raw.length / 2);
  return outgoingMessage(
    {
      subscriberId: 'sub_1',
      envelope: { from: 'papers@example.org', to: 'ada@example.org' },
      messageId: '<2025-10-31.sub_1@example.org>',
    },
    [raw.subarray(0, half), raw.subarray(half)],
  );
}

describe('the outbox', () => {
  it('writes each message as a complete .eml named by subscriber, signed when DKIM is configured', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'paperboy-outbox-')), 'outbox', '2025-10-31');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const outbox = createOutboxTransport(dir, {
      domainName: 'example.org',
      keySelector: 'paperboy',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    await outbox.verify();
    await outbox.send(await message());
    expect(readdirSync(dir)).toEqual(['sub_1.eml']);
    const raw = readFileSync(join(dir, 'sub_1.eml'));
    const mail = await simpleParser(raw);
    expect(mail.messageId).toBe('<2025-10-31.sub_1@example.org>');
    const head =
      raw
        .toString('utf8')
        .split('\r\n\r\n')[0]
        ?.replace(/\r\n[ \t]+/g, ' ') ?? '';
    const signature = /^DKIM-Signature: (.+)$/im.exec(head)?.[1] ?? '';
    expect(signature).toMatch(/d=example\.org/);
    expect(signature).toMatch(/s=paperboy/);
    // The signature covers both list headers, as Gmail and Yahoo expect.
    const signed = /(?:^|;)h=([^;]+)/
      .exec(signature.replace(/\s+/g, ''))?.[1]
      ?.toLowerCase()
      .split(':');
    expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
  });
});

describe('describeSmtpUrl', () => {
  it('names the server without the credentials', () => {
    expect(describeSmtpUrl('smtps://user:p%40ss@smtp.example.org:465')).toBe(
      'smtps://smtp.example.org:465',
    );
    expect(describeSmtpUrl('smtp://smtp.example.org')).toBe('smtp://smtp.example.org:587');
  });

  it('refuses a malformed URL without repeating it (it may hold a password)', () => {
    expect(() => describeSmtpUrl('smtps://user:hunter2@[bad')).toThrow(
      expect.objectContaining({ kind: 'config', message: 'SMTP_URL is not a valid URL' }),
    );
    expect(() => describeSmtpUrl('https://user:hunter2@smtp.example.org')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
