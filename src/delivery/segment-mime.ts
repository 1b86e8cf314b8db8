// Messages built from one skeleton: each recipient's message is bytes joined together, with no
// MIME tree and no encoding of a whole body per recipient.
//
// composeMessage (nodemailer's MailComposer) builds one skeleton per run, with a marker in place of
// everything that varies. The header fields that differ per segment (Subject) or per recipient
// (To, Message-ID, Date, List-Unsubscribe) are encoded with the very calls MailComposer makes
// (MimeNode#encodeHeaderValue, then folding at 76 columns), so the headers come out byte for byte
// as composeMessage writes them. The two bodies are quoted-printable: a segment's fixed text
// between slots is encoded once per segment (quoted-printable.ts); a recipient's slot values
// (greeting, links) are encoded on their own and joined in, each piece starting on a fresh line
// after a soft line break ("=" CRLF, which decoders drop), so no line exceeds 76 characters and the
// decoded text is exactly the personalized email. test/delivery/segment-mime.test.ts holds this
// path to composeMessage's output.
import { randomBytes } from 'node:crypto';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode, { type MimeNodeHeaderValue } from 'nodemailer/lib/mime-node';
import { escapeHtml, type RenderedSegment, slotValuesFor } from '../render/index.js';
import type { SlotName, SlottedText, SlotValues } from '../render/slots.js';
import { rememberCleanPiece } from './clean-pieces.js';
import {
  type ComposeMessageInput,
  composeMessage,
  listUnsubscribeValue,
} from './compose-message.js';
import { encodeQuotedPrintable, QP_LINE_LENGTH } from './quoted-printable.js';
import type { MessagePiece } from './transport.js';

/** What a segment's messages share: everything of ComposeMessageInput but the recipient's. */
export type SegmentMessageInput = Pick<
  ComposeMessageInput,
  'from' | 'replyTo' | 'subject' | 'listId'
> & {
  rendered: RenderedSegment;
  /** The mailto: target of List-Unsubscribe (the same for everyone), or null. */
  unsubscribeMailto: string | null;
};

/** One recipient's values. */
export interface RecipientMessageInput {
  to: ComposeMessageInput['to'];
  messageId: string;
  date: Date;
  unsubscribeUrl: string;
  preferencesUrl: string;
  /** For the greeting; null for none. */
  name: string | null;
}

/** One recipient's message, in pieces (most of them shared by the segment's messages). */
export type SegmentMessageBuilder = (recipient: RecipientMessageInput) => MessagePiece[];

const CRLF = '\r\n';
const SOFT_BREAK_TEXT = `=${CRLF}`;
const SOFT_BREAK = Buffer.from(SOFT_BREAK_TEXT, 'latin1');
/** Header lines are folded at 76 columns, as MimeNode folds them. */
const HEADER_LINE = 76;

/**
 * A piece followed by more of the same line needs a soft break after it, so the next piece starts
 * at column 0 and its own wrapping holds; after a hard line break (or nothing) it does not.
 */
function needsSoftBreak(encoded: Buffer): boolean {
  const length = encoded.length;
  return length > 0 && !(encoded[length - 2] === 0x0d && encoded[length - 1] === 0x0a);
}

/** A fixed piece of a body, encoded, with its soft break when more of its line follows. */
function encodeFixedPiece(text: string, more: boolean): Buffer {
  const encoded = encodeQuotedPrintable(text);
  const piece = more && needsSoftBreak(encoded) ? Buffer.concat([encoded, SOFT_BREAK]) : encoded;
  // Without a CR in the text (templates have LF line ends), the encoding has nothing to
  // dot-stuff: the pool's check (clean-pieces.ts) need not scan it.
  if (!text.includes('\r')) rememberCleanPiece(piece);
  return piece;
}

interface EncodedBody {
  /** Encoded fixed pieces: parts[0] slot[0] parts[1] ... parts[n]. */
  parts: Buffer[];
  slots: SlotName[];
}

function encodeBody(slotted: SlottedText): EncodedBody {
  const last = slotted.parts.length - 1;
  return {
    parts: slotted.parts.map((part, index) => encodeFixedPiece(part, index < last)),
    slots: slotted.slots,
  };
}

/**
 * A slot value (a name, a URL) as quoted-printable. Most are runs of printable ASCII with no "="
 * and no space at either end: those encode to themselves, cut with soft breaks when longer than
 * a line (a link is about 100 characters), and skip the encoder, unless a piece would start with a
 * "." (the encoder writes that =2E). The test holds both ways to the same text.
 */
const PRINTABLE_RUN = /^[\x21-\x3c\x3e-\x7e](?:[\x20-\x3c\x3e-\x7e]*[\x21-\x3c\x3e-\x7e])?$/;
const DOT = 0x2e;
function encodeText(value: string): string {
  return encodeQuotedPrintable(value).toString('latin1');
}
export function encodeSlotValue(value: string): string {
  if (!PRINTABLE_RUN.test(value) || value.charCodeAt(0) === DOT) return encodeText(value);
  // As the encoder cuts: after 75 columns, for as long as more than a line's worth is left.
  let encoded = '';
  let at = 0;
  for (; value.length - at > QP_LINE_LENGTH; at += QP_LINE_LENGTH - 1) {
    if (value.charCodeAt(at + QP_LINE_LENGTH - 1) === DOT) return encodeText(value);
    encoded += `${value.slice(at, at + QP_LINE_LENGTH - 1)}${SOFT_BREAK_TEXT}`;
  }
  return at === 0 ? value : encoded + value.slice(at);
}

function fillBody(
  body: EncodedBody,
  values: SlotValues,
  encode: (value: string) => string,
  out: MessagePiece[],
): void {
  out.push(body.parts[0] as Buffer);
  for (let i = 0; i < body.slots.length; i++) {
    // Slot values are one line (names and URLs); a value is followed by the next fixed piece.
    const encoded = encodeSlotValue(encode(values[body.slots[i] as SlotName]));
    if (encoded !== '') out.push(encoded.endsWith(CRLF) ? encoded : `${encoded}${SOFT_BREAK_TEXT}`);
    out.push(body.parts[i + 1] as Buffer);
  }
}

/** Header fields that differ per segment (Subject) or per recipient (the rest). */
type VariableField = 'subject' | 'to' | 'message-id' | 'date' | 'list-unsubscribe';
const VARIABLE_FIELDS = new Set<string>([
  'subject',
  'to',
  'message-id',
  'date',
  'list-unsubscribe',
]);

/** Splits a header block into its fields (a field's folded continuation lines stay with it). */
function headerFields(block: string): string[] {
  return block.split(/\r\n(?![ \t])/);
}

/** The To value as composeMessage gives it to MailComposer. */
function toValue(to: RecipientMessageInput['to']): MimeNodeHeaderValue {
  return to.name ? { name: to.name, address: to.address } : to.address;
}

/**
 * An address and a name MailComposer writes exactly as given: a dot-atom local part, a lower-case
 * ASCII domain (nothing to punycode or lower-case), a name of word characters and single spaces
 * (nothing to quote or encode), on one line (nothing to fold). Most of a list is like that, and
 * MailComposer's address parser is the costliest part of a recipient's header; the rest goes
 * through it. test/delivery/segment-mime.test.ts holds both ways to the same bytes.
 */
const PLAIN_LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const PLAIN_DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const PLAIN_NAME = /^\w+(?: \w+)*$/;
function toField(to: RecipientMessageInput['to']): string | null {
  const at = to.address.lastIndexOf('@');
  if (at < 1) return null;
  if (!PLAIN_LOCAL_PART.test(to.address.slice(0, at))) return null;
  const domain = to.address.slice(at + 1);
  if (!PLAIN_DOMAIN.test(domain) || domain.startsWith('xn--') || domain.includes('.xn--')) {
    return null;
  }
  if (to.name && !PLAIN_NAME.test(to.name)) return null;
  const line = to.name ? `To: ${to.name} <${to.address}>` : `To: ${to.address}`;
  return line.length <= HEADER_LINE ? line + CRLF : null;
}

const NOT_ASCII = /[\u0080-\uffff]/;

/** Our Message-IDs (<date.subscriber@domain>) need no encoding or folding either. */
const PLAIN_MESSAGE_ID = /^<[A-Za-z0-9._-]+@[a-z0-9.-]+>$/;
function messageIdField(messageId: string): string | null {
  const line = `Message-ID: ${messageId}`;
  return PLAIN_MESSAGE_ID.test(messageId) && line.length <= HEADER_LINE ? line + CRLF : null;
}

/** What every message of a run shares: sender, list headers, the MIME structure. */
export type MessageCommon = Omit<SegmentMessageInput, 'rendered' | 'subject'>;

export interface MessageTemplate {
  /** One segment's messages: its subject and bodies encoded now, once. */
  forSegment(rendered: RenderedSegment, subject: string): SegmentMessageBuilder;
}

/**
 * The run's skeleton, built once by composeMessage with markers for everything that varies; the
 * segments' builders share it.
 */
export async function createMessageTemplate(common: MessageCommon): Promise<MessageTemplate> {
  const nonce = randomBytes(8).toString('hex');
  const marker = { text: `pbtext${nonce}`, html: `pbhtml${nonce}` };
  const skeleton = (
    await composeMessage({
      from: common.from,
      replyTo: common.replyTo ?? null,
      to: { address: `pbto${nonce}@example.invalid` },
      subject: `pbsubject${nonce}`,
      date: new Date(0),
      messageId: `<pbid${nonce}@example.invalid>`,
      text: marker.text,
      html: marker.html,
      unsubscribe: { url: `https://pb${nonce}.invalid/`, mailto: common.unsubscribeMailto },
      listId: common.listId,
    })
  ).toString('latin1');

  const headerEnd = skeleton.indexOf(`${CRLF}${CRLF}`);
  // Header fields in MailComposer's order: fixed text, or the name of a field that varies.
  const header: (string | VariableField)[] = [];
  for (const field of headerFields(skeleton.slice(0, headerEnd))) {
    const name = field.slice(0, field.indexOf(':')).toLowerCase();
    header.push(VARIABLE_FIELDS.has(name) ? (name as VariableField) : field + CRLF);
  }
  // From the blank line on: the header fields above each end with their own CRLF.
  const body = skeleton.slice(headerEnd + CRLF.length);
  const textAt = body.indexOf(marker.text);
  const htmlAt = body.indexOf(marker.html);
  const missing = [...VARIABLE_FIELDS].filter((name) => !header.includes(name as VariableField));
  if (textAt === -1 || htmlAt < textAt || missing.length > 0) {
    // Only a change in nodemailer's output could get here; better no email than a wrong one.
    throw new Error(`segment MIME: the skeleton lacks ${missing.join(', ') || 'a body marker'}`);
  }
  const beforeText = Buffer.from(body.slice(0, textAt), 'latin1');
  const betweenBodies = Buffer.from(body.slice(textAt + marker.text.length, htmlAt), 'latin1');
  const afterHtml = Buffer.from(body.slice(htmlAt + marker.html.length), 'latin1');
  // MailComposer's own encoder for header values; one node serves every message.
  const encoder = new MimeNode();
  const field = (name: string, value: MimeNodeHeaderValue) =>
    foldLines(`${name}: ${encoder.encodeHeaderValue(name, value)}`, HEADER_LINE) + CRLF;
  let dateSecond = Number.NaN;
  let dateField = '';

  return {
    forSegment(rendered, subject) {
      const subjectField = field('Subject', subject);
      const text = encodeBody(rendered.text);
      const html = encodeBody(rendered.html);
      return (recipient) => {
        // The header block is one string, one piece.
        let head = '';
        for (const piece of header) {
          if (piece === 'subject') {
            head += subjectField;
          } else if (piece === 'to') {
            head += toField(recipient.to) ?? field('To', toValue(recipient.to));
          } else if (piece === 'message-id') {
            head += messageIdField(recipient.messageId) ?? field('Message-ID', recipient.messageId);
          } else if (piece === 'date') {
            // Second resolution, like the header: one encoding per second, not per message.
            const second = Math.floor(recipient.date.getTime() / 1000);
            if (second !== dateSecond) {
              dateSecond = second;
              dateField = field('Date', new Date(second * 1000));
            }
            head += dateField;
          } else if (piece === 'list-unsubscribe') {
            const value = listUnsubscribeValue({
              url: recipient.unsubscribeUrl,
              mailto: common.unsubscribeMailto,
            });
            head += `${foldLines(`List-Unsubscribe: ${value}`)}${CRLF}`;
          } else {
            head += piece;
          }
        }
        // An address with a UTF-8 local part (SMTPUTF8) stays UTF-8 in the header: then bytes.
        const out: MessagePiece[] = [NOT_ASCII.test(head) ? Buffer.from(head, 'utf8') : head];
        const values = slotValuesFor(recipient);
        out.push(beforeText);
        fillBody(text, values, (value) => value, out);
        out.push(betweenBodies);
        fillBody(html, values, escapeHtml, out);
        out.push(afterHtml);
        return out;
      };
    },
  };
}

/** One segment's builder with a skeleton of its own (tests, one-off messages). */
export async function createSegmentMessage(
  input: SegmentMessageInput,
): Promise<SegmentMessageBuilder> {
  return (await createMessageTemplate(input)).forSegment(input.rendered, input.subject);
}
