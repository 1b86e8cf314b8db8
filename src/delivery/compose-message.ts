// One recipient's complete message as raw MIME (RFC 5322), for an SMTP `raw` send, an outbox file
// or a preview .eml. nodemailer's MailComposer builds the MIME tree. The list headers are set
// here because MailComposer ignores the `list` option (only nodemailer's Mailer reads it), and
// because there must be exactly one List-Unsubscribe header, whatever the targets.
import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWord, isPlainText, quoteString } from 'nodemailer/lib/mime-funcs';
import type { MimeNodeHeader } from 'nodemailer/lib/mime-node';

export interface MailboxAddress {
  /** Display name; null or empty for a bare address. */
  name?: string | null;
  address: string;
}

export interface ComposeMessageInput {
  /** From: the display name names the sender (the newsletter), the address is on its domain. */
  from: { name: string; address: string };
  /** Reply-To, when replies should go elsewhere than From. */
  replyTo?: string | null;
  /** Exactly one recipient: never a shared To or Bcc. */
  to: MailboxAddress;
  subject: string;
  /** The Date header. */
  date: Date;
  /**
   * Unique per recipient and on the sending domain: `<local@domain>` (brackets added when
   * missing). The send step keeps it in the ledger; Gmail throttles repeated ids.
   */
  messageId: string;
  /** The plain-text part, placed first. */
  text: string;
  /** The HTML part, placed last: the one a client prefers. */
  html: string;
  /**
   * The List-Unsubscribe targets (RFC 2369) in one header: an https URL that unsubscribes on a
   * one-click POST (RFC 8058), and optionally a mailto: address (with or without `mailto:`).
   */
  unsubscribe: { url: string; mailto?: string | null };
  /** List-Id (RFC 2919), e.g. `{ name: 'Trending Papers', id: 'digest.example.org' }`. */
  listId: { name: string; id: string };
}

/** The domain of an address: `papers@Example.org` -> `example.org`. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The List-Id of a sender's newsletter: a label on the sender's own domain. */
export function listIdFor(sender: {
  name: string;
  address: string;
}): ComposeMessageInput['listId'] {
  return { name: sender.name, id: `digest.${domainOf(sender.address)}` };
}

// List header values go out verbatim (`prepared`), so nothing that could end the <...> or the
// header itself may get in.
const PRINTABLE = /^[\x21-\x7e]+$/;
const ENDS_BRACKETS = /[<>"\\]/;
const LIST_ID = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/** The URL's scheme, or null when it does not parse (one parse: this runs for every message). */
function protocolOf(value: string): string | null {
  try {
    return new URL(value).protocol;
  } catch {
    return null;
  }
}

function bracketed(value: string, protocol: 'https:' | 'mailto:', what: string): string {
  const valid = protocolOf(value) === protocol;
  if (!valid || !PRINTABLE.test(value) || ENDS_BRACKETS.test(value)) {
    throw new TypeError(`${what}: expected a ${protocol} URL, got ${JSON.stringify(value)}`);
  }
  return `<${value}>`;
}

function phrase(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return isPlainText(flat) ? quoteString(flat) : encodeWord(flat);
}

/** The List-Unsubscribe value: the https URL, then the mailto: address when there is one. */
export function listUnsubscribeValue(unsubscribe: ComposeMessageInput['unsubscribe']): string {
  const targets = [bracketed(unsubscribe.url, 'https:', 'unsubscribe.url')];
  const mailto = unsubscribe.mailto;
  if (mailto) {
    const url = mailto.startsWith('mailto:') ? mailto : `mailto:${mailto}`;
    targets.push(bracketed(url, 'mailto:', 'unsubscribe.mailto'));
  }
  return targets.join(', ');
}

function listHeaders(input: ComposeMessageInput): MimeNodeHeader[] {
  if (!LIST_ID.test(input.listId.id)) {
    throw new TypeError(
      `listId.id: expected a domain-like id, got ${JSON.stringify(input.listId.id)}`,
    );
  }
  const name = input.listId.name.trim() ? `${phrase(input.listId.name)} ` : '';
  return [
    {
      key: 'List-Unsubscribe',
      value: { prepared: true, foldLines: true, value: listUnsubscribeValue(input.unsubscribe) },
    },
    {
      key: 'List-Unsubscribe-Post',
      value: { prepared: true, value: 'List-Unsubscribe=One-Click' },
    },
    {
      key: 'List-Id',
      value: { prepared: true, foldLines: true, value: `${name}<${input.listId.id}>` },
    },
  ];
}

/** The complete raw message: headers, then multipart/alternative (text/plain, then text/html). */
export async function composeMessage(input: ComposeMessageInput): Promise<Buffer> {
  const composer = new MailComposer({
    from: { name: input.from.name, address: input.from.address },
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    to: input.to.name ? { name: input.to.name, address: input.to.address } : input.to.address,
    subject: input.subject,
    date: input.date,
    messageId: input.messageId,
    // Always quoted-printable, whatever the content: readable in the raw, safe for any line
    // length, and the same encoding the once-per-segment path (segment-mime.ts) writes.
    text: { content: input.text, contentTransferEncoding: 'quoted-printable' },
    html: { content: input.html, contentTransferEncoding: 'quoted-printable' },
    headers: listHeaders(input),
    // CRLF throughout, as SMTP and .eml readers expect, whatever the templates' line endings.
    newline: 'windows',
  });
  return composer.compile().build();
}
