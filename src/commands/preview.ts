// `paperboy preview`: the email a reader would get, as files (HTML, text, the complete .eml) or
// on a local page that reloads when a template changes. Nothing is sent.
import { join } from 'node:path';
import { type Config, DEFAULT_BASE_URL } from '../config.js';
import { PaperboyError } from '../errors.js';
import type { PlanInput } from '../plan/index.js';
import { DEFAULT_PREVIEW_HOST, DEFAULT_PREVIEW_PORT } from '../preview/defaults.js';
import { planSubscribers } from '../preview/plan-subscribers.js';
import {
  findSubscriberPreview,
  listIssuePreviews,
  listPlanPreviews,
  type PreviewRecipient,
  type PreviewTarget,
  planTopicsPreview,
} from '../preview/preview-targets.js';
import {
  indexPapers,
  type PreviewSource,
  previewAddress,
  renderPreview,
  templatesDirOf,
} from '../preview/render-preview.js';
import { type PreviewServer, startPreviewServer } from '../preview/start-preview-server.js';
import { writePreviewFiles } from '../preview/write-preview-files.js';
import { normalizeEmail } from '../subscribers/email.js';
import { assertKnownTopicIds } from '../topics/resolve-topics.js';
import { type Context, loadContext } from './context.js';
import { loadClassifiedIssues, type SourceFlags } from './load-issues.js';
import { pickIssue } from './plan.js';

export interface PreviewFlags extends SourceFlags {
  topics?: string;
  subscriber?: string;
  subscribers?: string;
  out?: string;
  serve?: boolean;
  port?: number;
  host?: string;
}

/** What the email shows until the configuration is complete; previews work, sending will not. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (!config.sender.postalAddress) {
    warnings.push(
      'sender.postalAddress is not set: the footer shows a placeholder, and sending will refuse to run (the law wants a postal address in every email)',
    );
  }
  if (config.baseUrl === DEFAULT_BASE_URL) {
    warnings.push(
      `baseUrl is the placeholder ${DEFAULT_BASE_URL}: set it to your public https:// origin so the links work`,
    );
  }
  return warnings;
}

function checkFlags(flags: PreviewFlags): void {
  const misuse = (message: string) => new PaperboyError('usage', message);
  if (flags.topics !== undefined && flags.subscriber !== undefined) {
    throw misuse('--topics and --subscriber do not go together: preview one or the other');
  }
  if (flags.serve) {
    for (const flag of ['topics', 'subscriber', 'out'] as const) {
      if (flags[flag] !== undefined) {
        throw misuse(
          `--${flag} does not go with --serve: the page lists every email (give --subscribers FILE to add the plan's)`,
        );
      }
    }
  } else {
    for (const flag of ['port', 'host'] as const) {
      if (flags[flag] !== undefined) throw misuse(`--${flag} needs --serve`);
    }
    if (flags.subscribers !== undefined && flags.subscriber === undefined) {
      throw misuse('--subscribers needs --subscriber EMAIL (or --serve, to list every segment)');
    }
  }
}

function parseTopics(value: string, context: Context): string[] | 'all' {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0)
    throw new PaperboyError('usage', '--topics: give topic ids, comma-separated');
  if (ids.includes('all')) return 'all';
  assertKnownTopicIds(ids, context.topics, '--topics');
  return ids;
}

interface Chosen {
  target: PreviewTarget;
  recipient: PreviewRecipient;
  /** The file name: the issue date, plus the segment id for anything but the all-topics digest. */
  name: string;
}

async function chooseEmail(
  context: Context,
  input: PlanInput,
  flags: PreviewFlags,
): Promise<Chosen | null> {
  const date = input.issue.date;
  if (flags.subscriber === undefined) {
    const topics = flags.topics === undefined ? 'all' : parseTopics(flags.topics, context);
    const address = previewAddress(context.config);
    const target = planTopicsPreview(input, topics, context.topics, context.config.plan, address);
    if (target.segment.empty) {
      process.stderr.write(
        `paperboy: no papers on ${target.label} on ${date}: this is the "nothing on your topics" note, sent only with plan.sendEmpty\n`,
      );
    }
    const name = topics === 'all' ? date : `${date}-${target.segment.id}`;
    return { target, recipient: target.recipients[0] as PreviewRecipient, name };
  }
  const { plan, subscribers, label } = await planSubscribers(context, input, flags.subscribers);
  const wanted = normalizeEmail(flags.subscriber);
  const subscriber = subscribers.find((candidate) => normalizeEmail(candidate.email) === wanted);
  if (!subscriber) {
    throw new PaperboyError('conflict', `no subscriber ${flags.subscriber.trim()} in ${label}`, {
      hint: 'see "paperboy subscribers list", or give the file with --subscribers FILE',
    });
  }
  const found = findSubscriberPreview(plan, subscriber, context.topics);
  if (found?.kind === 'segment') {
    return { ...found, name: `${date}-${found.target.segment.id}` };
  }
  // Not an error: the plan's answer for this reader is "no email". Nothing is written.
  const why = found?.skipped.detail ?? 'not in the plan';
  process.stderr.write(`paperboy: ${subscriber.email} gets no email for ${date}: ${why}\n`);
  return null;
}

async function writePreview(
  context: Context,
  source: PreviewSource,
  input: PlanInput,
  flags: PreviewFlags,
): Promise<void> {
  const chosen = await chooseEmail(context, input, flags);
  if (!chosen) return;
  const email = await renderPreview(source, chosen.target, chosen.recipient);
  const dir = flags.out ?? join(context.config.dataDir, 'preview');
  const paths = writePreviewFiles(dir, chosen.name, email);
  process.stdout.write(`${paths.join('\n')}\n`);
}

/** Resolves on SIGINT or SIGTERM, so the caller can close what it opened and exit 0. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

interface Loaded {
  context: Context;
  source: PreviewSource;
  input: PlanInput;
  label: string;
  warnings: string[];
}

async function loadPreview(
  sourceArg: string,
  flags: PreviewFlags,
  stderr: NodeJS.WritableStream,
): Promise<Loaded> {
  checkFlags(flags);
  const context = loadContext(flags.config);
  // Checked before the source is read: a typo should not wait for the network.
  if (flags.topics !== undefined) parseTopics(flags.topics, context);
  const { issues, label } = await loadClassifiedIssues(sourceArg, flags, context, stderr);
  const input = pickIssue(issues, flags.date);
  const source: PreviewSource = {
    config: context.config,
    topics: context.topics,
    date: input.issue.date,
    papers: indexPapers(issues),
  };
  const warnings = configWarnings(context.config);
  for (const warning of warnings) stderr.write(`warning: ${warning}\n`);
  return { context, source, input, label, warnings };
}

/**
 * The preview server for a source, listening until closed: what `--serve` runs, callable in
 * process (tests start it on port 0).
 */
export async function openPreviewServer(
  sourceArg: string,
  flags: Omit<PreviewFlags, 'serve'>,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<PreviewServer> {
  const { context, source, input, label, warnings } = await loadPreview(
    sourceArg,
    { ...flags, serve: true },
    stderr,
  );
  const { config, topics } = context;
  const issueTargets = listIssuePreviews(input, topics, config.plan, previewAddress(config));
  let plan = null;
  if (flags.subscribers !== undefined) {
    const planned = await planSubscribers(context, input, flags.subscribers);
    plan = {
      label: planned.label,
      targets: listPlanPreviews(planned.plan, planned.subscribers, topics),
      skipped: Array.from(planned.plan.skipped),
    };
  }
  const host = flags.host ?? DEFAULT_PREVIEW_HOST;
  const templatesDir = templatesDirOf(config);
  const server = await startPreviewServer({
    source,
    sourceLabel: label,
    issueTargets,
    plan,
    warnings,
    port: flags.port ?? DEFAULT_PREVIEW_PORT,
    host,
    templatesDir,
    onReload: (file) => stderr.write(`paperboy: ${file} changed; pages reload\n`),
  });
  const count = issueTargets.length + (plan?.targets.length ?? 0);
  stderr.write(
    `paperboy: previewing ${count} emails for ${input.issue.date}; watching ${templatesDir}\n`,
  );
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    stderr.write(
      `paperboy: listening on ${host}: anyone who can reach this machine can see the previews\n`,
    );
  }
  return server;
}

export async function runPreview(sourceArg: string, flags: PreviewFlags): Promise<void> {
  if (flags.serve) {
    const server = await openPreviewServer(sourceArg, flags);
    process.stdout.write(`${server.url}\n`);
    process.stderr.write('paperboy: Ctrl-C stops the preview server\n');
    await untilStopped();
    await server.close();
    return;
  }
  const { context, source, input } = await loadPreview(sourceArg, flags, process.stderr);
  await writePreview(context, source, input, flags);
}
