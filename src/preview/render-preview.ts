// One preview email, exactly as the send step will build it: render the segment (MJML once),
// personalize it for one reader, compose the raw message. Templates are read on every call, so
// the preview server shows an edit on the next request.
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { composeMessage, domainOf, listIdFor } from '../delivery/compose-message.js';
import {
  BUNDLED_TEMPLATES_DIR,
  compileSubject,
  createRenderer,
  loadTemplates,
  personalize,
} from '../render/index.js';
import type { Issue, Paper, Topic } from '../types.js';
import type { PreviewRecipient, PreviewTarget } from './preview-targets.js';

export interface PreviewEmail {
  subject: string;
  /** What an inbox shows after the subject. */
  preheader: string;
  html: string;
  text: string;
  /** The complete message (.eml): headers, text part, HTML part. */
  eml: Buffer;
  /** The message's header block, as in the .eml. */
  headers: string;
}

export interface PreviewSource {
  config: Config;
  topics: readonly Topic[];
  /** The planned issue's date. */
  date: string;
  /** Every paper a target may refer to (a weekly segment draws from several issues). */
  papers: ReadonlyMap<string, Paper>;
}

/** Papers by id across issues; the newest issue's copy wins, as in a weekly plan. */
export function indexPapers(issues: readonly Issue[]): Map<string, Paper> {
  const byId = new Map<string, Paper>();
  const oldestFirst = [...issues].sort((a, b) => a.date.localeCompare(b.date));
  for (const issue of oldestFirst) for (const paper of issue.papers) byId.set(paper.id, paper);
  return byId;
}

/** The templates folder in effect: config `templatesDir` (relative to the working directory). */
export function templatesDirOf(config: Config): string {
  return config.templatesDir ? resolve(config.templatesDir) : BUNDLED_TEMPLATES_DIR;
}

/** Until signed tokens arrive with sending, every preview links to these placeholder pages. */
export function previewLinks(baseUrl: string): { unsubscribeUrl: string; preferencesUrl: string } {
  const origin = baseUrl.replace(/\/+$/, '');
  return {
    unsubscribeUrl: `${origin}/unsubscribe/preview`,
    preferencesUrl: `${origin}/preferences/preview`,
  };
}

/** Where a preview without a real reader is addressed: `preview@<sender domain>`. */
export function previewAddress(config: Config): string {
  return `preview@${domainOf(config.sender.address)}`;
}

export async function renderPreview(
  source: PreviewSource,
  target: PreviewTarget,
  recipient: PreviewRecipient = target.recipients[0] ?? {
    subscriberId: 'sub_preview',
    email: previewAddress(source.config),
    name: null,
  },
  now: Date = new Date(),
): Promise<PreviewEmail> {
  const { config } = source;
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const renderer = createRenderer(loadTemplates(templatesDirOf(config)));
  const rendered = await renderer.renderSegment({
    segment: target.segment,
    papers: source.papers,
    topics: source.topics,
    date: source.date,
    sender: { name: config.sender.name, postalAddress: config.sender.postalAddress },
    baseUrl,
    subject: compileSubject(config.email.subject),
  });
  const links = previewLinks(baseUrl);
  const email = personalize(rendered, { name: recipient.name, ...links });
  const domain = domainOf(config.sender.address);
  const eml = await composeMessage({
    from: { name: config.sender.name, address: config.sender.address },
    replyTo: config.sender.replyTo ?? null,
    to: { name: recipient.name, address: recipient.email },
    subject: email.subject,
    date: now,
    messageId: `<preview.${source.date}.${target.segment.id}.${recipient.subscriberId}@${domain}>`,
    text: email.text,
    html: email.html,
    unsubscribe: { url: links.unsubscribeUrl },
    listId: listIdFor(config.sender),
  });
  const text = eml.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  return {
    ...email,
    preheader: rendered.preheader,
    eml,
    headers: end === -1 ? text : text.slice(0, end + 2),
  };
}
