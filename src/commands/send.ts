// `paperboy send`: parse, plan, render once per segment, personalize and deliver one issue now,
// with a progress bar, a summary and an exit code that says how it went. The delivery itself is
// src/delivery/deliver-issue.ts; this file only wires the parts together and reports.
import { join, resolve } from 'node:path';
import { type Config, DEFAULT_BASE_URL } from '../config.js';
import { createArchiveWriter } from '../delivery/archive.js';
import { createMessageBuilder } from '../delivery/build-message.js';
import {
  type DeliveryProgress,
  type DeliveryReport,
  deliverIssue,
} from '../delivery/deliver-issue.js';
import { loadDkimOptions } from '../delivery/dkim-options.js';
import { formatSummary } from '../delivery/format-summary.js';
import { lockIssue } from '../delivery/issue-lock.js';
import {
  type LedgerWriter,
  ledgerPath,
  openLedger,
  type PriorDelivery,
  readPriorDeliveries,
} from '../delivery/ledger.js';
import { resolveKeyring } from '../delivery/link-keyring.js';
import { createOutboxTransport, outboxDir } from '../delivery/outbox-transport.js';
import { createProgressReporter } from '../delivery/progress.js';
import { createRecipientCheck } from '../delivery/recipient-check.js';
import { recordSentHistory } from '../delivery/record-history.js';
import { createSmtpTransport, describeSmtpUrl } from '../delivery/smtp-transport.js';
import { openStrikeBook, reachesBounceLimit, strikesPath } from '../delivery/strikes.js';
import {
  createDryRunTransport,
  type Transport,
  type TransportKind,
} from '../delivery/transport.js';
import { PaperboyError } from '../errors.js';
import { findSkipped, HISTORY_FILE, type Plan, someRecipient } from '../plan/index.js';
import { saveIssue } from '../plan/issue-archive.js';
import {
  BUNDLED_TEMPLATES_DIR,
  compileSubject,
  createRenderer,
  loadTemplates,
} from '../render/index.js';
import { onStopSignals } from '../stop-signals.js';
import type { SubscriberStore } from '../stores/types.js';
import { historyPath, loadContext, openSubscriberStore } from './context.js';
import { buildPlan, type PlanFlags } from './plan.js';

export interface SendFlags extends PlanFlags {
  dryRun?: boolean;
  only?: string;
  force?: boolean;
}

/**
 * What a real email must carry. Through SMTP a missing postal address (the law wants one) or the
 * placeholder origin (links that go nowhere) refuse to run; the outbox and a dry run only warn,
 * so the whole pipeline still runs on a fresh machine.
 */
export function checkSendable(config: Config, baseUrl: string, kind: TransportKind): string[] {
  const problems: { message: string; hint: string; warning: string }[] = [];
  if (!config.sender.postalAddress) {
    problems.push({
      message:
        'sender.postalAddress is not set: every email must carry the sender’s postal address (CAN-SPAM)',
      hint: 'set "sender": { "postalAddress": "..." } in paperboy.config.json',
      warning:
        'sender.postalAddress is not set: the footers show a placeholder instead. The law wants a postal address in every email; sending through SMTP refuses to run without it',
    });
  }
  if (baseUrl === DEFAULT_BASE_URL) {
    problems.push({
      message: `the links point to the placeholder ${DEFAULT_BASE_URL}: unsubscribing would not work`,
      hint: 'set PAPERBOY_BASE_URL (or "baseUrl" in the config) to the public https:// origin',
      warning: `the links point to the placeholder ${DEFAULT_BASE_URL}; set PAPERBOY_BASE_URL or "baseUrl" (sending through SMTP refuses to run without it)`,
    });
  }
  const [first] = problems;
  if (kind === 'smtp' && first) {
    throw new PaperboyError('config', first.message, { hint: first.hint });
  }
  return problems.map((p) => `warning: ${p.warning}`);
}

function createTransport(
  kind: TransportKind,
  config: Config,
  date: string,
  env: NodeJS.ProcessEnv,
): Transport {
  if (kind === 'dry-run') return createDryRunTransport();
  const dkim = loadDkimOptions(config);
  if (kind === 'outbox') return createOutboxTransport(outboxDir(config.dataDir, date), dkim);
  return createSmtpTransport(env.SMTP_URL as string, config.delivery, dkim);
}

/** --only EMAIL: the subscriber's id when the plan sends them this issue, else null (said why). */
async function pickOnly(plan: Plan, store: SubscriberStore, ref: string, label: string) {
  const subscriber = await store.get(ref);
  if (!subscriber) {
    throw new PaperboyError('conflict', `no subscriber ${ref.trim()} in ${label}`, {
      hint: 'see "paperboy subscribers list", or give the file with --subscribers FILE',
    });
  }
  const planned = plan.segments.some((segment) =>
    someRecipient(segment.recipients, (r) => r.subscriberId === subscriber.id),
  );
  if (planned) return subscriber.id;
  const skipped = findSkipped(plan.skipped, subscriber.id);
  process.stderr.write(
    `paperboy: ${subscriber.email} gets no email for ${plan.date}: ${skipped?.detail ?? 'not in the plan'}\n`,
  );
  return null;
}

/** The plan's skips go into the ledger once (not again on every rerun, never over a `sent`). */
function recordPlanSkips(
  plan: Plan,
  prior: ReadonlyMap<string, PriorDelivery>,
  ledger: LedgerWriter,
): void {
  const at = new Date().toISOString();
  for (const skipped of plan.skipped) {
    const before = prior.get(skipped.subscriberId);
    if (before?.state === 'sent') continue;
    if (before?.state === 'skipped' && before.reason === skipped.reason) continue;
    ledger.append({
      at,
      subscriberId: skipped.subscriberId,
      email: skipped.email,
      state: 'skipped',
      reason: skipped.reason,
    });
  }
}

/** Segments that some recipient received, by an earlier run or this one. */
function sentSegmentIds(
  prior: ReadonlyMap<string, PriorDelivery>,
  report: DeliveryReport,
): Set<string> {
  const ids = new Set(report.sentSegmentIds);
  for (const delivery of prior.values()) {
    if (delivery.state === 'sent' && delivery.segmentId) ids.add(delivery.segmentId);
  }
  return ids;
}

/** The exit: nothing when every planned message was accepted, else the error that says why. */
function outcomeError(report: DeliveryReport, transport: Transport): Error | null {
  const stop = report.stop;
  const rest = report.notAttempted + report.failed;
  const resume = 'run the same command to resume: what was sent is not sent again';
  if (stop?.kind === 'error') return stop.error as Error;
  if (stop?.kind === 'signal') {
    return new PaperboyError('interrupted', `stopped by ${stop.signal}; ${rest} not sent yet`, {
      hint: resume,
    });
  }
  if (stop?.kind === 'paused') {
    return new PaperboyError(
      'paused',
      `paused: ${stop.failed} of the last ${stop.attempts} attempts failed; ${rest} not sent yet`,
      { hint: resume },
    );
  }
  if (stop?.kind === 'fatal') {
    return new PaperboyError('delivery', `${transport.label}: ${stop.failure.response}`, {
      hint: `the problem is on the sending side (no recipient got a strike); fix it, then ${resume}`,
    });
  }
  if (report.failed > 0) {
    const retryable = report.failed - report.bounced;
    return new PaperboyError(
      'delivery',
      `${report.failed} of ${report.pending} messages failed (listed above, and in the ledger)`,
      {
        hint:
          retryable > 0
            ? `run the same command to retry the ${retryable} not bounced: what was sent is not sent again`
            : 'bounced addresses are not mailed again; see "paperboy subscribers list --status bounced"',
      },
    );
  }
  return null;
}

/** SIGINT/SIGTERM once: stop taking new messages. Twice: leave at once (the ledger is on disk). */
function handleSignals(stop: AbortController, closeLedger: () => void): () => void {
  return onStopSignals({
    first(signal) {
      process.stderr.write(
        `\npaperboy: ${signal}: finishing the messages in flight (${signal} again stops at once)\n`,
      );
      stop.abort(signal);
    },
    again() {
      closeLedger();
      process.stderr.write('paperboy: stopped at once; the next run resends what was in flight\n');
    },
  });
}

/**
 * Where a send reports, and who stops it. The CLI (`runSend`) uses the defaults: stderr for
 * warnings and progress, stdout for the summary, its own SIGINT/SIGTERM handling. `paperboy serve`
 * passes its logger and its shutdown signal instead, and gets the outcome back.
 */
export interface SendIo {
  /** One warning or notice line, without the newline. Default: stderr. */
  notice?(line: string): void;
  /** Replaces the progress bar on stderr. */
  onProgress?(progress: DeliveryProgress): void;
  /** The summary text. Default: stdout. */
  summary?(text: string): void;
  /** Stops the run like a first SIGINT (reason: the signal's name); no signal handlers are installed. */
  signal?: AbortSignal;
  /** A source with no papers (weekend, holiday) ends the run before anything is locked. */
  skipWithoutPapers?: boolean;
}

export type SendOutcome =
  /** --only named somebody the plan does not send this issue to. */
  | { kind: 'not-planned'; date: string }
  /** skipWithoutPapers and the source had no papers. */
  | { kind: 'no-papers'; date: string }
  | {
      kind: 'delivered';
      date: string;
      report: DeliveryReport;
      ledgerPath: string | null;
      /** What `send` exits with: null when every planned message was accepted. */
      error: unknown;
    };

export async function runSend(
  source: string,
  flags: SendFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const outcome = await sendIssue(source, flags, env);
  if (outcome.kind === 'delivered' && outcome.error) throw outcome.error;
}

/** One send, as `paperboy send` runs it; returns how it went instead of throwing its outcome. */
export async function sendIssue(
  source: string,
  flags: SendFlags,
  env: NodeJS.ProcessEnv = process.env,
  io: SendIo = {},
): Promise<SendOutcome> {
  if (env.DATABASE_URL?.trim()) {
    // Everything is in PostgreSQL: plan, queue, and work the queue (src/distributed/).
    const { sendThroughQueue } = await import('../distributed/send-through-queue.js');
    return sendThroughQueue(source, flags, env, io);
  }
  const notice = io.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = performance.now();
  const context = loadContext(flags.config);
  const { config } = context;
  const kind: TransportKind = flags.dryRun ? 'dry-run' : env.SMTP_URL ? 'smtp' : 'outbox';
  const dryRun = kind === 'dry-run';
  // Configuration mistakes show before anything is loaded or locked.
  if (kind === 'smtp') describeSmtpUrl(env.SMTP_URL as string);
  loadDkimOptions(config);
  const { baseUrl } = config;
  const warnings = checkSendable(config, baseUrl, kind);
  const { keyring, warning } = await resolveKeyring(kind, config.dataDir, env);
  if (warning) warnings.push(`warning: ${warning}`);
  if (dryRun && env.SMTP_URL && !env.PAPERBOY_SECRET?.trim()) {
    warnings.push('warning: PAPERBOY_SECRET is not set: a real send through SMTP_URL would refuse');
  }
  const templates = loadTemplates(
    config.templatesDir ? resolve(config.templatesDir) : BUNDLED_TEMPLATES_DIR,
  );
  const { plan, papers, subscribersLabel, issue, listToken } = await buildPlan(
    source,
    flags,
    context,
  );
  // Kept so that a weekly digest later this week can merge this day (`hf:latest` fetches one day).
  if (!dryRun) await saveIssue(config.dataDir, issue);
  for (const line of warnings) notice(line);
  if (io.skipWithoutPapers && papers.size === 0) return { kind: 'no-papers', date: plan.date };
  if (plan.totals.subscribers === 0) {
    notice(
      `paperboy: ${subscribersLabel} has no subscribers; add one with "paperboy subscribers add EMAIL --topics ..."`,
    );
  }
  const { store } = openSubscriberStore(context, flags.subscribers);
  let only: Set<string> | null = null;
  if (flags.only !== undefined) {
    const id = await pickOnly(plan, store, flags.only, subscribersLabel);
    if (id === null) return { kind: 'not-planned', date: plan.date };
    only = new Set([id]);
  }

  const ledgerFile = ledgerPath(config.dataDir, plan.date);
  const stop = new AbortController();
  const lock = dryRun
    ? null
    : await lockIssue(ledgerFile, {
        onWait: () =>
          notice(
            `paperboy: ${ledgerFile} is locked: another send of this issue is running, or one was killed; waiting for its lock to expire`,
          ),
        onCompromised: (error) =>
          stop.abort(
            new PaperboyError('busy', `lost the lock on ${ledgerFile} (${error.message})`, {
              hint: 'is another send of this issue running? Run the same command once it is done',
            }),
          ),
      });
  let ledger: LedgerWriter | null = null;
  try {
    const prior = await readPriorDeliveries(ledgerFile);
    const transport = createTransport(kind, config, plan.date, env);
    try {
      await transport.verify();
    } catch (error) {
      transport.close();
      throw new PaperboyError(
        'delivery',
        `${transport.label}: ${(error as Error).message}; nothing was sent`,
        {
          hint:
            kind === 'smtp'
              ? 'check SMTP_URL (host, port, user and password) and that the server is reachable'
              : 'check that the data folder is writable',
          cause: error,
        },
      );
    }
    if (!dryRun) {
      ledger = openLedger(ledgerFile);
      if (!only) recordPlanSkips(plan, prior, ledger);
    }
    const strikes = dryRun ? null : await openStrikeBook(strikesPath(config.dataDir));
    // The compiled template is kept in <dataDir>/cache: a daily send does not load MJML at all.
    const renderer = createRenderer(templates, {
      cacheDir: join(config.dataDir, 'cache'),
      writeCache: !dryRun,
    });
    const subject = compileSubject(config.email.subject);
    const sender = {
      name: config.sender.name,
      address: config.sender.address,
      replyTo: config.sender.replyTo ?? null,
    };
    const progress = io.onProgress
      ? { update: io.onProgress, stop: () => {} }
      : createProgressReporter(process.stderr, dryRun ? 'building' : 'sending');
    let announced = false;
    const outer = io.signal;
    const forward = () => stop.abort(outer?.reason);
    if (outer?.aborted) forward();
    outer?.addEventListener('abort', forward, { once: true });
    const stopHandling = outer
      ? () => outer.removeEventListener('abort', forward)
      : handleSignals(stop, () => ledger?.close());
    let report: DeliveryReport;
    try {
      report = await deliverIssue({
        plan,
        only,
        prior,
        options: { ...config.delivery, force: flags.force ?? false },
        renderSegment: (segment) =>
          renderer.renderSegment({
            segment,
            papers,
            topics: context.topics,
            date: plan.date,
            sender: { name: config.sender.name, postalAddress: config.sender.postalAddress },
            baseUrl,
            subject,
          }),
        buildMessage: createMessageBuilder({
          date: plan.date,
          sender,
          baseUrl,
          keyring,
          unsubscribeMailto: config.delivery.unsubscribeMailto ?? null,
        }),
        transport,
        // The web archive ("view in browser"): each segment's email without personal links.
        archive: dryRun ? null : createArchiveWriter({ dataDir: config.dataDir, baseUrl }),
        onArchiveError: (error) =>
          notice(`warning: the web archive was not written: ${(error as Error).message}`),
        checkRecipient: createRecipientCheck(store, { plannedAt: listToken }),
        ledger,
        async strike(subscriberId, strikeKind, failure) {
          if (!strikes) return false;
          const record = await strikes.add(subscriberId, strikeKind, failure);
          if (!reachesBounceLimit(record, config.delivery)) return false;
          try {
            await store.setStatus(subscriberId, 'bounced');
          } catch (error) {
            // Removed from the list since the plan: there is nobody left to mark.
            if (error instanceof PaperboyError && error.kind === 'conflict') return false;
            throw error;
          }
          return true;
        },
        delivered: async (subscriberId) => strikes?.clear(subscriberId),
        signal: stop.signal,
        onProgress: (p) => {
          if (!announced) {
            announced = true;
            notice(
              `paperboy: issue ${plan.date}: ${p.total} to ${dryRun ? 'build' : 'send'}, ${kind === 'smtp' ? 'through' : 'to'} ${transport.label}`,
            );
          }
          progress.update(p);
        },
      });
    } finally {
      progress.stop();
      stopHandling();
      transport.close();
      ledger?.close();
      await store.close();
    }
    // What was sent goes into the history even when the run stopped early; a failure to record
    // it is reported after the summary, as nothing about the deliveries depends on it.
    let historyError: unknown = null;
    if (!dryRun) {
      await recordSentHistory(
        historyPath(context, HISTORY_FILE),
        plan,
        sentSegmentIds(prior, report),
      ).catch((error: unknown) => {
        historyError = error;
      });
    }
    (io.summary ?? ((text: string) => process.stdout.write(text)))(
      formatSummary({
        date: plan.date,
        transport,
        report,
        planSkipped: only ? [] : plan.skipped,
        durationMs: performance.now() - started,
        ledgerPath: dryRun ? null : ledgerFile,
        pauseFailureRate: config.delivery.pauseFailureRate,
      }),
    );
    return {
      kind: 'delivered',
      date: plan.date,
      report,
      ledgerPath: dryRun ? null : ledgerFile,
      error: outcomeError(report, transport) ?? historyError,
    };
  } finally {
    ledger?.close();
    await lock?.release();
  }
}
