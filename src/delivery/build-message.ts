// One recipient's message from their segment's rendered email: their signed links and greeting
// filled in (personalize: string joins), then the complete MIME (composeMessage).
import type { RenderedSegment } from '../render/index.js';
import { personalize } from '../render/index.js';
import { createToken, type Keyring } from '../tokens/link-token.js';
import { composeMessage, domainOf, listIdFor } from './compose-message.js';
import type { OutgoingMessage } from './transport.js';

export interface MessageContext {
  /** The issue (plan) date. */
  date: string;
  sender: { name: string; address: string; replyTo?: string | null };
  /** https origin of the links, no trailing slash. */
  baseUrl: string;
  keyring: Keyring;
  /** Added to List-Unsubscribe after the https URL. */
  unsubscribeMailto?: string | null;
  now?: () => Date;
}

export interface MessageRecipient {
  subscriberId: string;
  email: string;
  name: string | null;
}

/**
 * `<2025-10-31.sub_9f2c1a7e5b03d861@example.org>`: unique per issue and subscriber, on the
 * sender's domain, and the same for a resend of the same issue, so a duplicate after a crash is
 * recognisable (and mail clients that de-duplicate by Message-ID hide it).
 */
export function messageIdFor(date: string, subscriberId: string, senderAddress: string): string {
  return `<${date}.${subscriberId}@${domainOf(senderAddress)}>`;
}

/** The subscriber's one-click unsubscribe and preference page URLs, with signed tokens. */
export function linksFor(
  baseUrl: string,
  keyring: Keyring,
  subscriberId: string,
): { unsubscribeUrl: string; preferencesUrl: string } {
  return {
    unsubscribeUrl: `${baseUrl}/unsubscribe/${createToken(keyring, 'unsubscribe', subscriberId)}`,
    preferencesUrl: `${baseUrl}/preferences/${createToken(keyring, 'preferences', subscriberId)}`,
  };
}

export async function buildMessage(
  rendered: RenderedSegment,
  recipient: MessageRecipient,
  context: MessageContext,
): Promise<OutgoingMessage> {
  const links = linksFor(context.baseUrl, context.keyring, recipient.subscriberId);
  const email = personalize(rendered, { name: recipient.name, ...links });
  const messageId = messageIdFor(context.date, recipient.subscriberId, context.sender.address);
  const raw = await composeMessage({
    from: { name: context.sender.name, address: context.sender.address },
    replyTo: context.sender.replyTo ?? null,
    to: { name: recipient.name, address: recipient.email },
    subject: email.subject,
    date: context.now?.() ?? new Date(),
    messageId,
    text: email.text,
    html: email.html,
    unsubscribe: { url: links.unsubscribeUrl, mailto: context.unsubscribeMailto ?? null },
    listId: listIdFor(context.sender),
  });
  return {
    subscriberId: recipient.subscriberId,
    envelope: { from: context.sender.address, to: recipient.email },
    messageId,
    raw,
  };
}
