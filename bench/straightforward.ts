// The straightforward path most paper mailers take, measured on the same data as ours: for every
// recipient, Handlebars over the MJML template with their values, an MJML compile, then
// nodemailer's sendMail (which builds the MIME message) through a pooled SMTP transport.
import mjml2html from 'mjml';
import { createTransport } from 'nodemailer';
import { linksFor, messageIdFor } from '../src/delivery/build-message.js';
import type { Plan, Recipient, Segment } from '../src/plan/index.js';
import { buildDigestModel, compileSubject, type DigestTemplates } from '../src/render/index.js';
import type { Keyring } from '../src/tokens/link-token.js';
import type { Paper, Topic } from '../src/types.js';

export interface StraightforwardInput {
  plan: Plan;
  papers: ReadonlyMap<string, Paper>;
  topics: readonly Topic[];
  templates: DigestTemplates;
  keyring: Keyring;
  baseUrl: string;
  sender: { name: string; address: string; postalAddress: string };
  subjectTemplate: string;
  smtpUrl: string;
  /** How many recipients to send to (spread over the plan), for a sample. */
  count: number;
}

export interface StraightforwardResult {
  messages: number;
  /** Handlebars + MJML, per recipient. */
  renderMsPerMessage: number;
  wallMs: number;
  messagesPerSecond: number;
}

/** `count` recipients spread evenly over the plan's segments (all of them if fewer). */
export function sampleRecipients(
  plan: Plan,
  count: number,
): { segment: Segment; recipient: Recipient }[] {
  const all = plan.segments.flatMap((segment) =>
    Array.from(segment.recipients, (recipient) => ({ segment, recipient })),
  );
  if (all.length <= count) return all;
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)] as (typeof all)[number]);
}

export async function runStraightforward(
  input: StraightforwardInput,
): Promise<StraightforwardResult> {
  const sample = sampleRecipients(input.plan, input.count);
  const mjmlTemplate = input.templates.compileHtml(input.templates.mjml);
  const subject = compileSubject(input.subjectTemplate);
  const transport = createTransport({
    url: input.smtpUrl,
    pool: true,
    maxConnections: 10,
    maxMessages: 100,
  });
  let renderMs = 0;
  const started = performance.now();
  // Ten at a time, like a pooled mailer would: the compile is synchronous CPU work anyway.
  let next = 0;
  async function worker(): Promise<void> {
    while (next < sample.length) {
      const { segment, recipient } = sample[next++] as (typeof sample)[number];
      const links = linksFor(input.baseUrl, input.keyring, recipient.subscriberId);
      const renderStarted = performance.now();
      const model = buildDigestModel({
        segment,
        papers: input.papers,
        topics: input.topics,
        date: input.plan.date,
        sender: input.sender,
        baseUrl: input.baseUrl,
        subject,
        markers: { greeting: '', ...links },
      });
      const { html } = await mjml2html(mjmlTemplate(model), {
        validationLevel: 'strict',
        minify: true,
        minifyOptions: { minifyCss: false },
      });
      const text = input.templates.text(model);
      renderMs += performance.now() - renderStarted;
      await transport.sendMail({
        from: { name: input.sender.name, address: input.sender.address },
        to: recipient.email,
        subject: model.subject,
        messageId: messageIdFor(input.plan.date, recipient.subscriberId, input.sender.address),
        text,
        html,
        list: { unsubscribe: { url: links.unsubscribeUrl, comment: 'Unsubscribe' } },
        headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker));
  const wallMs = performance.now() - started;
  transport.close();
  return {
    messages: sample.length,
    renderMsPerMessage: renderMs / sample.length,
    wallMs,
    messagesPerSecond: sample.length / (wallMs / 1000),
  };
}
