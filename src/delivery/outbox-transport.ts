// The embedded default when no SMTP server is configured: each message a complete .eml file in
// `<dataDir>/outbox/<date>/<subscriber id>.eml`, so the whole pipeline runs on a fresh machine.
// Files are written atomically (temp file, rename), so a crash never leaves half a message.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { DKIMSingleKeyOptions } from 'nodemailer/lib/dkim';
import writeFileAtomic from 'write-file-atomic';
import type { Transport } from './transport.js';

export function outboxDir(dataDir: string, date: string): string {
  return join(dataDir, 'outbox', date);
}

/** A write error stops the run (classify-failure.ts): every later file would fail the same way. */
function outboxError(error: unknown, path: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return Object.assign(new Error(`${path} cannot be written (${code})`), { code: 'EOUTBOX' });
}

export function createOutboxTransport(dir: string, dkim?: DKIMSingleKeyOptions): Transport {
  // With DKIM configured the files are signed as SMTP messages would be: nodemailer's stream
  // transport runs the same signer.
  const signer = dkim
    ? createTransport({ streamTransport: true, buffer: true, newline: 'windows', dkim })
    : null;
  return {
    kind: 'outbox',
    label: dir,
    async verify() {
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw outboxError(error, dir);
      }
    },
    async send(message) {
      const raw = signer
        ? ((
            await signer.sendMail({
              raw: message.raw,
              envelope: { from: message.envelope.from, to: [message.envelope.to] },
            })
          ).message as Buffer)
        : message.raw;
      const path = join(dir, `${message.subscriberId}.eml`);
      try {
        // No fsync per file, like the ledger's lines: a crashed process loses nothing (the page
        // cache survives it), and an fsync per message would make a large outbox crawl.
        await writeFileAtomic(path, raw, { fsync: false });
      } catch (error) {
        throw outboxError(error, path);
      }
    },
    close() {},
  };
}
