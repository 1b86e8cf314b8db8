// What a failed send means, from the error nodemailer gives (or the one the outbox throws). Pure.
//
// - permanent: the server refused this recipient or this message for good (err.permanent, or a
//   5xx reply other than 503). Not retried; a hard-bounce strike for the subscriber.
// - transient: anything that may pass later: 4xx and 503 replies (421 throttling, 451 greylisting),
//   dropped connections, timeouts. Retried with backoff; a soft strike once the retries run out.
// - fatal: a problem with the sender, not the recipient: bad credentials, TLS, the server refusing
//   the sender (MAIL FROM), an outbox that cannot be written. Every later message would fail the
//   same way, so the run stops, and nobody gets a strike for it.
import type { NodemailerError } from 'nodemailer/lib/errors';

export type FailureKind = 'permanent' | 'transient' | 'fatal';

export interface Failure {
  kind: FailureKind;
  /** The SMTP reply code, when there was a reply. */
  code: number | null;
  /** The server's reply, or the error message: one line. */
  response: string;
}

/** Errors about the sending side: retrying or striking the recipient would be wrong. */
const FATAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EOUTBOX']);

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function classifyFailure(error: unknown): Failure {
  const err = (error ?? {}) as NodemailerError;
  // "All recipients were rejected" carries the recipient's own reply among rejectedErrors.
  const detail = err.rejectedErrors?.[0] ?? err;
  const code = detail.responseCode ?? err.responseCode ?? null;
  const response = oneLine(
    detail.response ?? err.response ?? (err as Error).message ?? String(error),
  );
  const permanent =
    detail.permanent ??
    err.permanent ??
    (code !== null && code >= 500 && code < 600 && code !== 503);
  if (FATAL_CODES.has(err.code ?? '')) return { kind: 'fatal', code, response };
  // MAIL FROM is about the sender (or the size the server takes), never about the recipient.
  if (err.command === 'MAIL FROM' && (permanent || err.code === 'EMESSAGE')) {
    return { kind: 'fatal', code, response };
  }
  return { kind: permanent ? 'permanent' : 'transient', code, response };
}
