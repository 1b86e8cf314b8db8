// Delivery through an SMTP server: one pooled nodemailer transporter, as the config says.
// The server comes from SMTP_URL (smtps://user:pass@host:465), so credentials stay out of files;
// they are never printed: the label keeps only the scheme, host and port.
import { createTransport } from 'nodemailer';
import type { DKIMSingleKeyOptions } from 'nodemailer/lib/dkim';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { Config } from '../config.js';
import { PaperboyError } from '../errors.js';
import type { Transport } from './transport.js';

/** `smtps://host:465` from an SMTP URL, without user, password or query. */
export function describeSmtpUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL may hold a password: say what is wrong without repeating it.
    throw new PaperboyError('config', 'SMTP_URL is not a valid URL', {
      hint: 'write it as smtps://user:password@host:465 or smtp://host:587 (percent-encode special characters)',
    });
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new PaperboyError(
      'config',
      `SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`,
    );
  }
  const port = parsed.port || (parsed.protocol === 'smtps:' ? '465' : '587');
  return `${parsed.protocol}//${parsed.hostname}:${port}`;
}

export function createSmtpTransport(
  url: string,
  delivery: Config['delivery'],
  dkim?: DKIMSingleKeyOptions,
): Transport {
  const label = describeSmtpUrl(url);
  const transporter = createTransport({
    url,
    pool: true,
    maxConnections: delivery.concurrency,
    maxMessages: delivery.maxMessages,
    ...(delivery.rateLimit ? { rateLimit: delivery.rateLimit, rateDelta: delivery.rateDelta } : {}),
    // A dropped connection fails the message instead of the pool quietly sending it again: the
    // delivery loop retries it with backoff, counts it and records the attempt in the ledger.
    maxRequeues: 0,
    connectionTimeout: delivery.timeoutMs,
    greetingTimeout: delivery.timeoutMs,
    socketTimeout: delivery.timeoutMs,
    dnsTimeout: delivery.timeoutMs,
    ...(dkim ? { dkim } : {}),
    logger: false,
    debug: false,
  });
  return {
    kind: 'smtp',
    label,
    async verify() {
      await transporter.verify();
    },
    async send(message) {
      const info = await transporter.sendMail({
        raw: message.raw,
        envelope: { from: message.envelope.from, to: [message.envelope.to] },
      });
      // A resolved send can still have refused the recipient (a partial rejection).
      if (info.rejected.length > 0) {
        const reason = info.rejectedErrors?.[0];
        const error: NodemailerError = reason ?? new Error(`recipient rejected: ${info.response}`);
        error.rejected = info.rejected.map(String);
        throw error;
      }
    },
    close() {
      transporter.close();
    },
  };
}
