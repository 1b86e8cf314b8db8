#!/usr/bin/env node
// The one edge: parses argv, runs a command, turns errors into one clear line and an exit code.
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerDbCommand } from './commands/db.js';
import { runDigest } from './commands/digest.js';
import { runParse } from './commands/parse.js';
import { runPlan } from './commands/plan.js';
import { registerSubscribersCommand } from './commands/subscribers.js';
import { runTopics } from './commands/topics.js';
import { ExitCode, PaperboyError } from './errors.js';
import { keepHeapNearLive } from './heap-growth.js';
import { DEFAULT_PREVIEW_HOST, DEFAULT_PREVIEW_PORT } from './preview/defaults.js';
import { SOURCE_FORMATS, SOURCE_HELP } from './sources/index.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a bug in paperboy (please report it with the stack trace)
  2  bad usage: unknown command, option or argument
  3  a file, URL or the network could not be read
  4  the input is not usable (empty, binary, malformed, no papers)
  5  the configuration is wrong (config file, unknown topic id)
  6  the subscriber file is broken, or could not be locked or written (it is left as it was)
  7  the request conflicts with the list (unknown address, already subscribed, suppressed)
  8  send: not every planned message was accepted (see the summary; a rerun retries them)
  9  send: paused, too many attempts failed or were throttled (a rerun resumes)
 10  send: another send of the same issue is running
130  send: stopped by SIGINT or SIGTERM (a rerun resumes)`;

const SOURCE_ARGUMENT_HELP = `Sources: ${SOURCE_HELP}.
Formats are detected from the content: the plain-text copy of the HF papers page, HF API JSON
(/api/daily_papers or /api/papers/{id}) or a saved HF papers page (HTML).`;

function sourceOptions(command: Command): Command {
  return command
    .option('--date <YYYY-MM-DD>', 'issue date when the source carries no year or date')
    .addOption(
      new Option('--format <format>', 'input format')
        .choices(['auto', ...SOURCE_FORMATS])
        .default('auto'),
    )
    .option('--config <file>', 'config file (default: $PAPERBOY_CONFIG or ./paperboy.config.json)');
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  }
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > 100) {
    throw new InvalidArgumentError('expected a whole number from 1 to 100');
  }
  return count;
}

export function createProgram(): Command {
  const program = new Command('paperboy')
    .description(
      "Turns each day's trending AI papers (Hugging Face Daily Papers) into a digest per topic.",
    )
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${SOURCE_ARGUMENT_HELP}\n${EXIT_CODES_HELP}`)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`paperboy: ${text.replace(/^error: /, '')}`),
    });

  sourceOptions(
    program
      .command('digest')
      .description(
        "show an issue's papers grouped by topic (the bundled Oct 31, 2025 sample when no source is given)",
      )
      .argument('[source]', 'where to read papers from'),
  )
    .option('--topic <ids>', 'only these topics, comma-separated')
    .addHelpText('after', `\n${SOURCE_ARGUMENT_HELP}`)
    .action((source: string | undefined, flags) => runDigest(source, flags));

  sourceOptions(
    program
      .command('parse')
      .description('parse a source and print its issues as JSON (papers with topics) on stdout')
      .argument('<source>', 'where to read papers from'),
  )
    .addHelpText(
      'after',
      `\n${SOURCE_ARGUMENT_HELP}\nWarnings (skipped cards, with line numbers) go to stderr.`,
    )
    .action((source: string, flags) => runParse(source, flags));

  sourceOptions(
    program
      .command('topics')
      .description('list the topics; given a source, also how many of its papers each has')
      .argument('[source]', 'where to read papers from'),
  )
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', `\n${SOURCE_ARGUMENT_HELP}`)
    .action((source: string | undefined, flags) => runTopics(source, flags));

  sourceOptions(
    program
      .command('plan')
      .description(
        'show who gets which papers for an issue: segments, their papers, and who is skipped and why',
      )
      .argument('<source>', 'where to read papers from'),
  )
    .option(
      '--subscribers <file>',
      'the subscriber file (default: config "subscribers", ./subscribers.json)',
    )
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      `
With several days in the source, the plan is for --date (or the newest day); the other days feed
weekly digests. Papers a segment got within the last plan.historyDays days (config, default 30)
are not planned again; the history is <dataDir>/history.json.

Example:
  paperboy plan examples/hf-papers-2025-10-31.txt --date 2025-10-31 --subscribers subscribers.example.json

${SOURCE_ARGUMENT_HELP}`,
    )
    .action((source: string, flags) => runPlan(source, flags));

  sourceOptions(
    program
      .command('preview')
      .description(
        'render the email a reader would get: HTML, text and the complete .eml, or a local page (--serve)',
      )
      .argument('<source>', 'where to read papers from'),
  )
    .option('--topics <ids>', 'the digest for these topics, comma-separated (default: all topics)')
    .option('--subscriber <email>', "this subscriber's email, from the real plan")
    .option(
      '--subscribers <file>',
      'the subscriber file (default: config "subscribers", ./subscribers.json)',
    )
    .option('--out <dir>', 'where to write the files (default: <dataDir>/preview)')
    .option('--serve', 'serve a preview page that reloads when a template changes')
    .option(
      '--port <n>',
      `with --serve: the port, 0 for any free one (default: ${DEFAULT_PREVIEW_PORT})`,
      parsePort,
    )
    .option(
      `--host <host>`,
      `with --serve: the address to listen on (default: ${DEFAULT_PREVIEW_HOST})`,
    )
    .addHelpText(
      'after',
      `
Writes <out>/<date>.html, .txt and .eml for the all-topics digest, or <date>-<segment id>.* for
--topics and --subscriber, and prints their paths, one per line. The .eml is the complete message
(From, To, Subject, List-Unsubscribe...) as it would be sent. Until sending exists, the
unsubscribe and preferences links point to <baseUrl>/unsubscribe/preview and
<baseUrl>/preferences/preview.

--topics and the default preview show what a new daily subscriber would get (no send history).
--subscriber uses the real plan: the subscriber file and <dataDir>/history.json. A subscriber who
gets no email for this issue (weekly on another day, nothing matched, unsubscribed...) writes
nothing: the reason goes to stderr and the exit code is 0. An address not on the list exits 7.

--serve lists the all-topics digest, one per topic with papers and, with --subscribers, each
segment of the real plan; it shows each email at phone or desktop width, light or dark, with its
text part and headers. It re-renders on every request and reloads the page when a file in the
templates folder changes. It listens on 127.0.0.1 only unless --host says otherwise; Ctrl-C stops
it.

Examples:
  paperboy preview examples/hf-papers-2025-10-31.txt --date 2025-10-31
  paperboy preview examples/hf-papers-2025-10-31.txt --date 2025-10-31 --topics graphs,time-series --out /tmp/preview
  paperboy preview examples/hf-papers-2025-10-31.txt --date 2025-10-31 --subscriber ada@example.org --subscribers subscribers.example.json
  paperboy preview examples/hf-papers-2025-10-31.txt --date 2025-10-31 --serve --subscribers subscribers.example.json

${SOURCE_ARGUMENT_HELP}`,
    )
    .action(async (source: string, flags) => {
      // Loaded on use: MJML, nodemailer and the HTTP server would double every command's start.
      const { runPreview } = await import('./commands/preview.js');
      await runPreview(source, flags);
    });

  sourceOptions(
    program
      .command('send')
      .description(
        'deliver an issue now: plan, render, one message per subscriber, with a ledger that makes reruns resume',
      )
      .argument('<source>', 'where to read papers from'),
  )
    .option(
      '--subscribers <file>',
      'the subscriber file (default: config "subscribers", ./subscribers.json)',
    )
    .option(
      '--dry-run',
      'build every message and report what would be sent; send and record nothing',
    )
    .option('--only <email>', 'send only to this subscriber (as the plan has them)')
    .option('--force', 'send again to subscribers the ledger has as sent')
    .option(
      '--enqueue-only',
      'with DATABASE_URL: plan and queue the issue, and leave the sending to "paperboy worker"',
    )
    .addHelpText(
      'after',
      `
Where messages go:
  SMTP_URL set    through that server (smtps://user:password@host:465), pooled and rate-limited
                  as the config's "delivery" says; needs PAPERBOY_SECRET and sender.postalAddress
  otherwise       the outbox: one .eml file per subscriber in <dataDir>/outbox/<date>/
  --dry-run       nowhere: messages are built and counted, no ledger or history is written

Every outcome is in the ledger, <dataDir>/ledger/<date>.jsonl. Running the same command again
sends only to those not yet sent (after a crash, the few in flight may get a second copy, with the
same Message-ID); --force sends to everyone again. Transient failures (4xx, dropped connections)
are retried with backoff; permanent ones (5xx) are not, and count toward marking the address
bounced (delivery.hardBounceLimit, softBounceLimit; counts in <dataDir>/bounces.json). Ctrl-C
finishes the messages in flight, records everything and prints the summary; a second Ctrl-C quits
at once.

With DATABASE_URL (PostgreSQL; run "paperboy db migrate" first) the subscribers, the plan and
the ledger are in the database: send plans the issue, saves one delivery row per subscriber and
queues the deliveries still to send as jobs (delivery.batchSize recipients of one segment each),
then works the queue in this process until it is empty (as one "paperboy worker"; other workers
may help). --enqueue-only stops after queueing. Running it again queues only what is not sent.
--only and --force are not available with DATABASE_URL yet.

Environment: SMTP_URL; PAPERBOY_SECRET signs the unsubscribe and preference links (key rotation:
"k2:new,k1:old"; without it the outbox keeps a local one in <dataDir>/secret); PAPERBOY_BASE_URL
is the links' https:// origin (wins over "baseUrl").

Exit codes of send:
  0    every planned message was accepted (or there was nothing to send)
  5    configuration: no PAPERBOY_SECRET or sender.postalAddress for SMTP, a bad SMTP_URL...
  7    --only names nobody on the list
  8    some messages failed (in the ledger; rerun to retry), or the server refused the sender or
       could not be reached
  9    paused: too many attempts failed or were throttled (delivery.pauseFailureRate)
  10   another send of this issue is running
  130  stopped by SIGINT or SIGTERM

Examples:
  paperboy send examples/hf-papers-2025-10-31.txt --date 2025-10-31 --subscribers subscribers.example.json
  SMTP_URL=smtps://user:pass@smtp.example.org:465 PAPERBOY_SECRET=... paperboy send hf:latest
  paperboy send hf:latest --only ada@example.org

${SOURCE_ARGUMENT_HELP}`,
    )
    .action(async (source: string, flags) => {
      if (flags.enqueueOnly && !process.env.DATABASE_URL?.trim()) {
        throw new PaperboyError(
          'usage',
          '--enqueue-only needs DATABASE_URL: the queue is in PostgreSQL',
          {
            hint: 'set DATABASE_URL=postgres://..., or leave out --enqueue-only to send from the local files',
          },
        );
      }
      keepHeapNearLive();
      // Loaded on use, like preview: MJML and nodemailer would slow every other command's start.
      const { runSend } = await import('./commands/send.js');
      await runSend(source, flags);
    });

  program
    .command('serve')
    .description(
      'run as a service: the web pages (unsubscribe, preferences, archive) and the daily send on a schedule',
    )
    .option('--host <host>', 'the address to listen on (default: 127.0.0.1)')
    .option('--port <n>', 'the port, 0 for any free one (default: 8080)', parsePort)
    .option('--config <file>', 'config file (default: $PAPERBOY_CONFIG or ./paperboy.config.json)')
    .option(
      '--subscribers <file>',
      'the subscriber file (default: config "subscribers", ./subscribers.json)',
    )
    .addHelpText(
      'after',
      `
The schedule comes from the config's "schedule" section:
  "schedule": { "cron": "0 8 * * 1-5", "timezone": "UTC", "source": "hf:latest" }
cron is a node-cron expression (five fields, or six with seconds first) read in timezone (an IANA
name; explicit, so the server's TZ does not move it). Each run is exactly
"paperboy send <source>": the ledger (<dataDir>/ledger/<date>.jsonl) decides what is left to
send, so a run for an issue already sent sends nothing, and runs never overlap. On start serve
logs the next run times and, if today's time has passed (the process was down), runs once at
once. Days without papers (weekends, holidays) are logged and skipped; when fetching fails after
its retries, the run tries again later (1, 2, 4 min) and then waits for the next time.

With DATABASE_URL (PostgreSQL) every instance serves the web pages from the database, and each
scheduled time is run by exactly one of any number of instances (node-cron's distributed mode; a
row per fire in the database elects it; the others log run.skipped, reason not-elected). That
run plans the issue and queues it; "paperboy worker" processes send it (serve sends nothing
itself). "paperboy status" shows how far it got.

Logs go to stdout, one line per event: JSON unless stdout is a terminal.
SIGTERM or SIGINT stops the schedule, lets a run in flight finish its messages in flight and
write the ledger, closes the server and exits 0; a second signal stops at once (exit 130).
Environment: as for send (SMTP_URL, PAPERBOY_SECRET, PAPERBOY_BASE_URL, PAPERBOY_HF_BASE_URL).

Example:
  SMTP_URL=smtps://user:pass@smtp.example.org:465 PAPERBOY_SECRET=... paperboy serve --port 8080`,
    )
    .action(async (flags) => {
      keepHeapNearLive();
      // Loaded on use, like send: node-cron, the web app and nodemailer stay out of other commands.
      const { runServe } = await import('./commands/serve.js');
      await runServe(flags);
    });

  program
    .command('worker')
    .description(
      'send what the queue holds (DATABASE_URL): run one or more on any number of machines',
    )
    .option(
      '--concurrency <n>',
      'jobs worked at once, each one message at a time: messages in flight and SMTP connections (default: delivery.concurrency, 5)',
      parseCount,
    )
    .option('--config <file>', 'config file (default: $PAPERBOY_CONFIG or ./paperboy.config.json)')
    .addHelpText(
      'after',
      `
Needs DATABASE_URL (PostgreSQL, migrated with "paperboy db migrate"). Issues are planned and
queued by "paperboy send" or by the schedule of "paperboy serve"; workers send them. Each job is a
batch of up to delivery.batchSize (200) recipients of one segment: the worker renders the segment
(once per worker, then kept), claims the batch's deliveries in the ledger, checks each address is
still subscribed right before its message, and sends through SMTP_URL (without it: the outbox
folder of this machine). delivery.rateLimit per delivery.rateDelta ms holds across all workers.

Failures: a permanent one (5xx) is recorded and strikes the address; transient ones are retried by
the job's next try, after a backoff (delivery.retries tries, from delivery.backoffMs, doubling);
a job whose tries all fail goes to the dead-letter queue ("paperboy status" counts them; running
"paperboy send" again queues its recipients anew). A worker that dies (SIGKILL, a lost machine)
leaves its jobs to another after delivery.jobTimeoutSeconds (600): only the messages it had in
flight (at most --concurrency) may be sent twice, and a sent delivery never is.

Logs go to stdout, one JSON line per event (worker.started, batch.done, batch.retry...).
SIGTERM or SIGINT: no new job, the messages in flight finish, the rest of each batch is queued
again, exit 0; a second signal stops at once (exit 130).
Environment: DATABASE_URL, SMTP_URL, PAPERBOY_SECRET, PAPERBOY_BASE_URL.

Example:
  DATABASE_URL=postgres://paperboy@db/paperboy SMTP_URL=smtps://... PAPERBOY_SECRET=... \\
    paperboy worker --concurrency 10`,
    )
    .action(async (flags) => {
      keepHeapNearLive();
      const { runWorker } = await import('./commands/worker.js');
      await runWorker(flags);
    });

  program
    .command('status')
    .description(
      "where an issue's sending stands (DATABASE_URL): planned, sent, failed, skipped, pending",
    )
    .option('--date <YYYY-MM-DD>', 'the issue (default: the latest planned)')
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      `
Needs DATABASE_URL. Counts the issue's deliveries, in total and per segment, from any machine:
  planned      recipients the plan sends the issue to
  sent         accepted by the SMTP server (or written to the outbox)
  failed       the last attempt failed: permanent (5xx, the address got a strike) or to retry
  skipped      found unsubscribed, bounced or removed right before sending
  pending      not sent yet (claimed: in a worker's batch now)
  not planned  subscribers the plan left out, by reason (weekly-not-today, nothing-matched...)
and the queue's jobs: waiting, active, dead-lettered.
planned = sent + failed + skipped + pending.

Examples:
  paperboy status
  paperboy status --date 2025-10-31 --json`,
    )
    .action(async (flags) => {
      const { runStatus } = await import('./commands/status.js');
      await runStatus(flags);
    });

  registerSubscribersCommand(program);
  registerDbCommand(program);

  for (const command of program.commands) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
    command.configureOutput(program.configureOutput());
  }
  return program;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof PaperboyError) {
    process.stderr.write(`paperboy: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  process.stderr.write(
    `paperboy: unexpected error; this is a bug, please report it with what follows\n${(error as Error)?.stack ?? String(error)}\n`,
  );
  return ExitCode.bug;
}

async function main(argv: string[]): Promise<number> {
  // A reader piping into `head` closes stdout early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    throw error;
  });
  try {
    await createProgram().parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    return report(error);
  }
}

process.exitCode = await main(process.argv);
