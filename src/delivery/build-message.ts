// One recipient's message from their segment's rendered email: their signed links, greeting and
// headers joined into the segment's MIME, which is built once per segment (segment-mime.ts).
import type { RenderedSegment } from '../render/index.js';
import { createToken, type Keyring } from '../tokens/link-token.js';
import { domainOf, listIdFor } from './compose-message.js';
import {
  createMessageTemplate,
  type MessageTemplate,
  type SegmentMessageBuilder,
} from './segment-mime.js';
import { type OutgoingMessage, outgoingMessage } from './transport.js';

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

export type MessageBuilder = (
  rendered: RenderedSegment,
  recipient: MessageRecipient,
) => Promise<OutgoingMessage>;

/** Builds recipients' messages from the run's skeleton (segment-mime.ts). */
export function createMessageBuilder(context: MessageContext): MessageBuilder {
  // One skeleton for the run, one encoding of each segment's bodies (a WeakMap: it goes when the
  // rendered segment does).
  let template: Promise<MessageTemplate> | null = null;
  const segments = new WeakMap<RenderedSegment, SegmentMessageBuilder>();
  return async (rendered, recipient) => {
    template ??= createMessageTemplate({
      from: { name: context.sender.name, address: context.sender.address },
      replyTo: context.sender.replyTo ?? null,
      listId: listIdFor(context.sender),
      unsubscribeMailto: context.unsubscribeMailto ?? null,
    });
    let build = segments.get(rendered);
    if (!build) {
      build = (await template).forSegment(rendered, rendered.subject);
      segments.set(rendered, build);
    }
    const links = linksFor(context.baseUrl, context.keyring, recipient.subscriberId);
    const messageId = messageIdFor(context.date, recipient.subscriberId, context.sender.address);
    const pieces = build({
      to: { name: recipient.name, address: recipient.email },
      name: recipient.name,
      messageId,
      date: context.now?.() ?? new Date(),
      ...links,
    });
    return outgoingMessage(
      {
        subscriberId: recipient.subscriberId,
        envelope: { from: context.sender.address, to: recipient.email },
        messageId,
      },
      pieces,
    );
  };
}
