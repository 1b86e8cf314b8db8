// Delivery through an SMTP server: a pool of nodemailer SMTP connections (smtp-pool.ts), as the
// config says.
// The server comes from SMTP_URL (smtps://user:pass@host:465), so credentials stay out of files;
// they are never printed: the label keeps only the scheme, host and port.
import type { DKIMSingleKeyOptions } from 'nodemailer/lib/dkim';
import type { Config } from '../config.js';
import { PaperboyError } from '../errors.js';
import { createSmtpPool } from './smtp-pool.js';
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
  const pool = createSmtpPool({
    url,
    maxConnections: delivery.concurrency,
    maxMessages: delivery.maxMessages,
    timeoutMs: delivery.timeoutMs,
    rateLimit: delivery.rateLimit ?? null,
    rateDelta: delivery.rateDelta,
    ...(dkim ? { dkim } : {}),
  });
  return {
    kind: 'smtp',
    label,
    verify: () => pool.verify(),
    send: (message) => pool.send(message.envelope, message.pieces),
    close: () => pool.close(),
  };
}
