// `npm run bench`: measures every stage of the pipeline at 1k, 10k and 100k subscribers, sends
// each list end to end through the built CLI to an SMTP sink in its own process, sends the sink's
// sample of those messages again through the same SMTP pool to time the transport alone, measures
// the straightforward per-recipient path on the same data, checks that what arrived is right, and
// writes bench/results.json and the README's Performance table. Each list's peak RSS is the
// median of three sends (two with --quick), and of three more with the allocator tuned.
//
//   npm run bench                    full run (about 8 minutes), updates results.json and README
//   npm run bench -- --quick         1k subscribers only, under a minute, changes no file
//   npm run bench -- --sizes 1000,5000 --no-write
//   npm run bench -- --postgres      PostgreSQL mode: 20k subscribers sent by 1, 2 and 4
//                                    `paperboy worker` processes (--workers 1,2,4, --sizes 20000);
//                                    updates bench/results-postgres.json and its README table
//
// Exit status: 0 when every correctness check passed (timings never fail the run), 1 otherwise.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadContext, openSubscriberStore } from '../src/commands/context.js';
import { buildPlan } from '../src/commands/plan.js';
import { createMessageBuilder } from '../src/delivery/build-message.js';
import { composeMessage, listIdFor } from '../src/delivery/compose-message.js';
import { createSegmentMessage } from '../src/delivery/segment-mime.js';
import type { Plan, Segment } from '../src/plan/index.js';
import {
  BUNDLED_TEMPLATES_DIR,
  compileSubject,
  createRenderer,
  loadTemplates,
  personalize,
  type RenderedSegment,
} from '../src/render/index.js';
import { parseIssue } from '../src/sources/index.js';
import { parseKeyring } from '../src/tokens/link-token.js';
import { createClassifier } from '../src/topics/classify.js';
import { defaultTopics } from '../src/topics/default-taxonomy.js';
import type { Paper } from '../src/types.js';
import { checkSample } from './check-sample.js';
import { formatPostgresMarkdown, runPostgresBench, updateReadmePostgres } from './postgres-run.js';
import {
  formatReport,
  median,
  type Results,
  type SizeResult,
  TUNED_ALLOCATOR,
  targetsOf,
  updateReadme,
} from './report.js';
import { runSend } from './send-run.js';
import { startSink } from './sink-client.js';
import type { SinkReport } from './smtp-sink.js';
import { runStraightforward } from './straightforward.js';
import { syntheticArchive, syntheticHfJson, syntheticSubscriberLines } from './synthetic.js';
import { runTransportAlone } from './transport-alone.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEED = join(ROOT, 'examples/hf-papers-2025-10-31.txt');
const DATE = '2025-10-31';
const SENDER = {
  name: 'Trending Papers',
  address: 'papers@example.org',
  postalAddress: '1 Example Street, Springfield',
};
const BASE_URL = 'https://papers.example.org';
const SECRET = `k1:${'5eed'.repeat(16)}`;
/** Loopback: enough connections to keep the sink busy; a real provider sets its own limits. */
const DELIVERY = { concurrency: 20, maxMessages: 1000 };

function readFlags() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        sizes: { type: 'string' },
        postgres: { type: 'boolean', default: false },
        workers: { type: 'string', default: '1,2,4' },
        'no-write': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}; see npm run bench -- --help\n`);
    process.exit(2);
  }
}
const flags = readFlags();
if (flags.help) {
  process.stdout.write(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('//'))
      .map((line) => line.replace(/^\/\/ ?/, ''))
      .join('\n')
      .concat('\n'),
  );
  process.exit(0);
}
const quick = flags.quick;
/**
 * Sends of each list whose peak RSS is measured, by default and with the allocator tuned; the
 * table gives their median. Two in --quick mode, so that its test goes through the repeats too.
 */
const RSS_SENDS = quick ? 2 : 3;
/** A comma-separated list of whole numbers, or a usage error naming the flag. */
function counts(flag: string, value: string): number[] {
  return value.split(',').map((s) => {
    const count = Number(s.trim());
    if (!Number.isInteger(count) || count < 1) {
      process.stderr.write(`bench: --${flag} ${value}: expected whole numbers, like 1000,10000\n`);
      process.exit(2);
    }
    return count;
  });
}
const sizes = flags.sizes
  ? counts('sizes', flags.sizes)
  : flags.postgres
    ? [20_000]
    : quick
      ? [1000]
      : [1000, 10_000, 100_000];
const workerCounts = counts('workers', flags.workers);
const write = !quick && !flags['no-write'];

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** Runs `fn` until `minMs` passed (at least once), after a quarter of that untimed to warm the
 * JIT up; units per second. */
function rate(fn: () => number, minMs: number): number {
  const warm = performance.now();
  do fn();
  while (performance.now() - warm < minMs / 4);
  let units = 0;
  const started = performance.now();
  do units += fn();
  while (performance.now() - started < minMs);
  return units / ((performance.now() - started) / 1000);
}

function measureParsing(seedText: string) {
  const budget = quick ? 300 : 2000;
  const days = Array.from({ length: 10 }, (_, i) => `Oct ${22 + i}`);
  const archive = syntheticArchive(seedText, 'Oct 31', days);
  const json = syntheticHfJson(parseIssue(seedText, { date: DATE })[0]?.papers ?? [], days, 2025);
  /** MB per second of parsing `content`. */
  const throughput = (content: string, options: { date?: string; today?: string }) => {
    const megabytes = Buffer.byteLength(content) / 1e6;
    return rate(() => {
      parseIssue(content, options);
      return megabytes;
    }, budget);
  };
  return {
    textMBps: throughput(seedText, { date: DATE }),
    textArchiveMBps: throughput(archive, { today: DATE }),
    jsonMBps: throughput(json, { today: DATE }),
    textArchiveBytes: Buffer.byteLength(archive),
    jsonBytes: Buffer.byteLength(json),
  };
}

function measureClassification(seedText: string) {
  const papers = parseIssue(seedText, { date: DATE })[0]?.papers ?? [];
  const compileStarted = performance.now();
  const classify = createClassifier(defaultTopics);
  const compileMs = performance.now() - compileStarted;
  const papersPerSecond = rate(
    () => {
      for (const paper of papers) classify(paper);
      return papers.length;
    },
    quick ? 300 : 2000,
  );
  return { papersPerSecond, compileMs };
}

/** Messages per second between the sink's first and last message. */
function sustainedOf(report: SinkReport): number | null {
  return report.firstAt !== null && report.lastAt !== null && report.lastAt > report.firstAt
    ? report.messages / ((report.lastAt - report.firstAt) / 1000)
    : null;
}

function writeWorkspace(
  dir: string,
  size: number,
): { configPath: string; subscribersPath: string } {
  mkdirSync(dir, { recursive: true });
  const subscribersPath = join(dir, 'subscribers.json');
  writeFileSync(subscribersPath, [...syntheticSubscriberLines(size)].join(''));
  const configPath = join(dir, 'paperboy.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      baseUrl: BASE_URL,
      sender: SENDER,
      delivery: DELIVERY,
    }),
  );
  return { configPath, subscribersPath };
}

/** Renders every segment (our path): MJML compiles, total and per segment. */
async function measureRendering(plan: Plan, papers: ReadonlyMap<string, Paper>, cacheDir: string) {
  const templates = loadTemplates(BUNDLED_TEMPLATES_DIR);
  const renderer = createRenderer(templates, { cacheDir });
  const subject = compileSubject('{{top}} · Trending papers, {{date}}');
  const rendered = new Map<Segment, RenderedSegment>();
  const started = performance.now();
  for (const segment of plan.segments) {
    rendered.set(
      segment,
      await renderer.renderSegment({
        segment,
        papers,
        topics: defaultTopics,
        date: plan.date,
        sender: SENDER,
        baseUrl: BASE_URL,
        subject,
      }),
    );
  }
  const totalMs = performance.now() - started;
  return {
    rendered,
    result: {
      segments: plan.segments.length,
      mjmlCompiles: renderer.stats.mjmlCompiles,
      totalMs,
      msPerSegment: totalMs / Math.max(1, plan.segments.length),
    },
  };
}

/** Personalization and MIME per recipient, ours against nodemailer's full build. */
async function measurePerRecipient(plan: Plan, rendered: Map<Segment, RenderedSegment>) {
  const keyring = parseKeyring(SECRET);
  const recipients = plan.segments.flatMap((segment) =>
    Array.from(segment.recipients, (recipient) => ({ segment, recipient })).slice(0, 50),
  );
  const sample = recipients.slice(0, quick ? 500 : 3000);
  const values = {
    name: 'Ada Lovelace',
    unsubscribeUrl: `${BASE_URL}/u/x`,
    preferencesUrl: `${BASE_URL}/p/x`,
  };
  let started = performance.now();
  for (const { segment } of sample) personalize(rendered.get(segment) as RenderedSegment, values);
  const personalizeUs = ((performance.now() - started) * 1000) / sample.length;

  const build = createMessageBuilder({
    date: plan.date,
    sender: SENDER,
    baseUrl: BASE_URL,
    keyring,
  });
  // The segment skeletons are made first (once per segment, counted apart), then timed per message.
  for (const { segment, recipient } of sample) {
    await build(rendered.get(segment) as RenderedSegment, { ...recipient, name: null });
  }
  started = performance.now();
  for (const { segment, recipient } of sample) {
    await build(rendered.get(segment) as RenderedSegment, { ...recipient, name: 'Ada Lovelace' });
  }
  const mimeUs = ((performance.now() - started) * 1000) / sample.length;

  const segmentsTimed = [...rendered.values()].slice(0, quick ? 20 : 200);
  started = performance.now();
  for (const r of segmentsTimed) {
    await createSegmentMessage({
      from: SENDER,
      replyTo: null,
      subject: r.subject,
      listId: listIdFor(SENDER),
      rendered: r,
      unsubscribeMailto: null,
    });
  }
  const skeletonMs = (performance.now() - started) / Math.max(1, segmentsTimed.length);

  const composed = sample.slice(0, quick ? 100 : 500);
  started = performance.now();
  for (const { segment, recipient } of composed) {
    const r = rendered.get(segment) as RenderedSegment;
    const email = personalize(r, values);
    await composeMessage({
      from: SENDER,
      to: { name: 'Ada Lovelace', address: recipient.email },
      subject: email.subject,
      date: new Date(),
      messageId: `<${plan.date}.${recipient.subscriberId}@example.org>`,
      text: email.text,
      html: email.html,
      unsubscribe: { url: values.unsubscribeUrl },
      listId: listIdFor(SENDER),
    });
  }
  const nodemailerMimeUs = ((performance.now() - started) * 1000) / composed.length;
  return { personalizeUs, mimeUs, skeletonMs, nodemailerMimeUs };
}

async function measureSize(size: number, work: string): Promise<SizeResult> {
  const dir = join(work, `n${size}`);
  const { configPath, subscribersPath } = writeWorkspace(dir, size);
  log(`${size} subscribers: planning`);
  const context = loadContext(configPath);
  const loadStarted = performance.now();
  const { store } = openSubscriberStore(context, subscribersPath);
  await store.list();
  await store.close();
  const loadMs = performance.now() - loadStarted;
  const planStarted = performance.now();
  const { plan, papers } = await buildPlan(
    SEED,
    { date: DATE, subscribers: subscribersPath },
    context,
  );
  const planMs = performance.now() - planStarted - loadMs;
  const planned = plan.segments.reduce((sum, s) => sum + s.recipients.length, 0);

  log(`${size} subscribers: rendering ${plan.segments.length} segments`);
  // The compiled template goes to the run's cache, as any earlier send would have left it: the
  // measured sends are the steady state of a daily job (a template change costs one MJML run).
  const cacheDir = join(context.config.dataDir, 'cache');
  const { rendered, result: render } = await measureRendering(plan, papers, cacheDir);
  const perRecipient = await measurePerRecipient(plan, rendered);
  rendered.clear();

  const sampleDir = join(dir, 'sample');
  const sink = await startSink({ sampleDir, sampleEvery: Math.max(1, Math.floor(planned / 60)) });
  try {
    const sendTheList = (rssFile: string, env?: Record<string, string>) =>
      runSend({
        source: SEED,
        date: DATE,
        subscribersPath,
        configPath,
        smtpUrl: sink.url,
        secret: SECRET,
        rssFile: join(dir, rssFile),
        env,
      });
    log(`${size} subscribers: sending ${planned} messages through ${sink.url}`);
    const send = await sendTheList('rss-1.json');
    const received = await sink.report();
    const duplicates = Object.values(received.perRecipient).filter((n) => n > 1).length;
    const check = await checkSample(sampleDir, plan, papers, parseKeyring(SECRET), 'example.org');
    const problems = [...check.problems];
    if (send.exitCode !== 0) {
      problems.push(
        `paperboy send exited ${send.exitCode}: ${send.stderr.trim().split('\n').slice(-3).join(' / ')}`,
      );
    }
    if (received.messages !== planned)
      problems.push(`the sink counted ${received.messages} messages; the plan has ${planned}`);
    if (duplicates > 0) problems.push(`${duplicates} recipients got more than one message`);
    if (check.checked === 0) problems.push('no message was sampled');
    const sustained = sustainedOf(received);

    // The same send again, for its peak RSS alone: one peak swings by several MB from run to run,
    // so the table gives the median of RSS_SENDS. Then as many with the allocator tuned (README:
    // Performance). Each goes into a fresh ledger, history and archive, or it would find everyone
    // sent (the compiled template stays), and each must reach every planned recipient.
    const sendAgain = async (name: string, label: string, env?: Record<string, string>) => {
      await sink.reset();
      for (const done of ['ledger', 'archive', 'history.json']) {
        rmSync(join(context.config.dataDir, done), { recursive: true, force: true });
      }
      const again = await sendTheList(`rss-${name}.json`, env);
      const got = await sink.report();
      if (again.exitCode !== 0 || got.messages !== planned) {
        problems.push(
          `${label}: exit ${again.exitCode}, the sink counted ${got.messages} of ${planned}`,
        );
      }
      return again.maxRssBytes === null ? null : again.maxRssBytes / 2 ** 20;
    };
    const peaks = [send.maxRssBytes === null ? null : send.maxRssBytes / 2 ** 20];
    for (let n = 2; n <= RSS_SENDS; n++) {
      log(`${size} subscribers: the same send again for its peak RSS (${n} of ${RSS_SENDS})`);
      peaks.push(await sendAgain(`${n}`, `send ${n} of ${RSS_SENDS}`));
    }
    const tunedPeaks: (number | null)[] = [];
    for (let n = 1; n <= RSS_SENDS; n++) {
      log(
        `${size} subscribers: the same send with ${Object.keys(TUNED_ALLOCATOR).join(', ')} (${n} of ${RSS_SENDS})`,
      );
      tunedPeaks.push(
        await sendAgain(
          `tuned-${n}`,
          `send ${n} of ${RSS_SENDS}, allocator tuned`,
          TUNED_ALLOCATOR,
        ),
      );
    }

    await sink.reset();
    log(`${size} subscribers: the transport alone, ${planned} sampled messages sent again`);
    const alone = await runTransportAlone({
      sampleDir,
      messages: planned,
      connections: DELIVERY.concurrency,
      maxMessages: DELIVERY.maxMessages,
      smtpUrl: sink.url,
    });
    const aloneReceived = await sink.report();
    if (alone.failed > 0 || aloneReceived.messages !== planned) {
      problems.push(
        `transport alone: the sink counted ${aloneReceived.messages} of ${planned} (${alone.failed} failed)`,
      );
    }

    await sink.reset();
    const sampleSize = quick ? 30 : Math.min(planned, size <= 1000 ? planned : 300);
    log(`${size} subscribers: the straightforward path, ${sampleSize} of ${planned} recipients`);
    const context2 = loadContext(configPath);
    const straightforward = await runStraightforward({
      plan,
      papers,
      topics: context2.topics,
      templates: loadTemplates(BUNDLED_TEMPLATES_DIR),
      keyring: parseKeyring(SECRET),
      baseUrl: BASE_URL,
      sender: SENDER,
      subjectTemplate: context2.config.email.subject,
      smtpUrl: sink.url,
      count: sampleSize,
    });
    const straightReceived = await sink.report();
    if (straightReceived.messages !== straightforward.messages) {
      problems.push(
        `straightforward path: the sink counted ${straightReceived.messages} of ${straightforward.messages}`,
      );
    }
    const oursPerMessageMs = send.wallMs / planned;
    const straightPerMessageMs = straightforward.wallMs / straightforward.messages;
    return {
      subscribers: size,
      planned,
      segments: plan.segments.length,
      loadMs,
      planMs,
      render,
      personalizeUsPerRecipient: perRecipient.personalizeUs,
      mimeUsPerMessage: perRecipient.mimeUs,
      mimeSkeletonMsPerSegment: perRecipient.skeletonMs,
      nodemailerMimeUsPerMessage: perRecipient.nodemailerMimeUs,
      send: {
        wallMs: send.wallMs,
        exitCode: send.exitCode,
        peakRssMB: median(peaks),
        peakRssRunsMB: peaks,
        cpuMsPerMessage: {
          sender: send.cpuMs === null ? null : send.cpuMs / planned,
          sink: received.cpuMs / planned,
        },
        sinkMessages: received.messages,
        averageMessageBytes: received.messages > 0 ? received.bytes / received.messages : 0,
        duplicates,
        sustainedPerSecond: sustained,
        endToEndPerSecond: planned / (send.wallMs / 1000),
      },
      tunedAllocator: { peakRssMB: median(tunedPeaks), peakRssRunsMB: tunedPeaks },
      transportAlone: {
        messages: alone.messages,
        distinct: alone.distinct,
        averageMessageBytes: alone.averageBytes,
        sustainedPerSecond: sustainedOf(aloneReceived),
        cpuMsPerMessage: {
          sender: alone.cpuMs / alone.messages,
          sink: aloneReceived.cpuMs / alone.messages,
        },
      },
      straightforward: {
        sampled: straightforward.messages,
        extrapolated: straightforward.messages < planned,
        renderMsPerMessage: straightforward.renderMsPerMessage,
        messagesPerSecond: straightforward.messagesPerSecond,
        projectedWallMs: straightPerMessageMs * planned,
      },
      speedup: {
        endToEnd: straightPerMessageMs / oursPerMessageMs,
        rendering: (straightforward.renderMsPerMessage * planned) / Math.max(render.totalMs, 0.001),
      },
      checks: { sampled: check.checked, problems },
    };
  } finally {
    sink.stop();
  }
}

function machineOf(): Results['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
  };
}

async function mainPostgres(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'paperboy-bench-pg-'));
  try {
    const results = await runPostgresBench({
      work,
      subscribers: sizes[0] as number,
      workerCounts,
      concurrencyPerWorker: 20,
      workspace: (dir) => writeWorkspace(dir, sizes[0] as number),
      source: SEED,
      date: DATE,
      secret: SECRET,
      log,
    });
    const machine = machineOf();
    const markdown = formatPostgresMarkdown(
      results,
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}`,
    );
    process.stdout.write(`\n${markdown}`);
    if (!flags['no-write']) {
      writeFileSync(
        join(ROOT, 'bench/results-postgres.json'),
        `${JSON.stringify({ machine, ...results }, null, 2)}\n`,
      );
      updateReadmePostgres(join(ROOT, 'README.md'), markdown);
      log('wrote bench/results-postgres.json and the README table');
    }
    const problems = results.runs.flatMap((r) => r.problems.map((p) => `${r.workers}: ${p}`));
    if (problems.length > 0) {
      process.stdout.write(`\nCHECKS FAILED:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write(
        '\nchecks passed: every queued message arrived once, and status agrees\n',
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.env.DATABASE_URL) {
    // The JSON files are measured here; the PostgreSQL mode makes databases of its own.
    log('DATABASE_URL is ignored: this run measures the JSON files (--postgres for PostgreSQL)');
    delete process.env.DATABASE_URL;
  }
  const seedText = readFileSync(SEED, 'utf8');
  const work = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));
  try {
    log('parsing and classification');
    const parse = measureParsing(seedText);
    const classify = measureClassification(seedText);
    const results: Results = {
      generatedAt: new Date().toISOString(),
      command: quick ? 'npm run bench -- --quick' : 'npm run bench',
      mode: quick ? 'quick' : 'full',
      machine: machineOf(),
      parse,
      classify,
      sizes: [],
      targets: [],
    };
    for (const size of sizes) results.sizes.push(await measureSize(size, work));
    results.targets = targetsOf(results);
    process.stdout.write(formatReport(results));
    if (write) {
      writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
      updateReadme(join(ROOT, 'README.md'), results);
      log('wrote bench/results.json and the README Performance section');
    }
    const problems = results.sizes.flatMap((s) =>
      s.checks.problems.map((p) => `${s.subscribers}: ${p}`),
    );
    if (problems.length > 0) {
      process.stdout.write(
        `\nCORRECTNESS CHECKS FAILED:\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
      );
      process.exitCode = 1;
    } else {
      const sampled = results.sizes.reduce((sum, s) => sum + s.checks.sampled, 0);
      process.stdout.write(
        `\ncorrectness checks passed: every planned recipient got exactly one message; ${sampled} sampled messages carry the right papers and headers\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await (flags.postgres ? mainPostgres() : main());
