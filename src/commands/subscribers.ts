// `paperboy subscribers ...`: the subscriber list from the terminal. Thin shells over the store;
// each prints one line per change on stdout, and an error changes nothing.
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { PaperboyError } from '../errors.js';
import type { ImportOutcome, ImportResult, SubscriberPatch } from '../stores/types.js';
import { isEmailAddress } from '../subscribers/email.js';
import { EXPORT_FORMATS, type ExportFormat, formatExport } from '../subscribers/format-export.js';
import {
  formatSettings,
  formatSubscriberDetails,
  formatSubscriberTable,
  formatWho,
} from '../subscribers/format-subscriber.js';
import { parseImportFile, parseRestoreFile } from '../subscribers/parse-import.js';
import {
  type FrequencySetting,
  formatTopicList,
  InvalidSettingError,
  parseFrequency,
  parseKeywordList,
  parseMaxPapers,
  parseTopicList,
} from '../subscribers/settings-text.js';
import { assertKnownTopicIds } from '../topics/resolve-topics.js';
import {
  SUBSCRIBER_STATUSES,
  type Subscriber,
  type SubscriberStatus,
  type Topic,
} from '../types.js';
import {
  type Context,
  loadContext,
  openSubscriberStore,
  type OpenedStore as StoreHandle,
} from './context.js';

interface StoreFlags {
  subscribers?: string;
  config?: string;
}

/** The config, its topics and the store (the JSON file or PostgreSQL), opened once per command. */
type OpenedStore = Context & StoreHandle;

async function withStore<T>(flags: StoreFlags, run: (opened: OpenedStore) => Promise<T>) {
  const context = loadContext(flags.config);
  const opened = { ...context, ...openSubscriberStore(context, flags.subscribers) };
  try {
    return await run(opened);
  } finally {
    await opened.store.close();
  }
}

function print(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (!isEmailAddress(trimmed)) {
    throw new PaperboyError('usage', `"${email}" is not an email address`);
  }
  return trimmed;
}

/** Flag values in the settings syntax, checked by commander: bad ones are usage errors. */
function settingParser<T>(parse: (text: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof InvalidSettingError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

/** Topic ids from a flag, checked against the known topics (exit 5, closest id suggested). */
function knownTopics(
  topics: string[] | 'all',
  known: readonly Topic[],
  flag: string,
): string[] | 'all' {
  if (topics !== 'all') {
    if (topics.length === 0) throw new PaperboyError('usage', `${flag}: no topic ids given`);
    assertKnownTopicIds(topics, known, flag);
  }
  return topics;
}

// ---- list ----

interface ListFlags extends StoreFlags {
  topic?: string;
  status?: SubscriberStatus;
  json?: boolean;
}

export async function runList(flags: ListFlags): Promise<void> {
  await withStore(flags, async ({ store, topics, label }) => {
    if (flags.topic !== undefined) assertKnownTopicIds([flags.topic], topics, '--topic');
    const subscribers = await store.list({ topic: flags.topic, status: flags.status });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ subscribers }, null, 2)}\n`);
    } else if (subscribers.length === 0) {
      process.stderr.write(
        `paperboy: no subscribers${flags.topic || flags.status ? ' match' : ` in ${label}`}\n`,
      );
    } else {
      process.stdout.write(formatSubscriberTable(subscribers));
    }
  });
}

// ---- show ----

export async function runShow(email: string, flags: StoreFlags & { json?: boolean }) {
  await withStore(flags, async ({ store }) => {
    const subscriber = await store.get(email);
    if (!subscriber) {
      const purged = await store.isSuppressed(email);
      throw new PaperboyError(
        'conflict',
        purged
          ? `${email.trim()} was purged: only a hash of the address is kept, as a suppression`
          : `no subscriber ${email.trim()}`,
        { hint: purged ? undefined : 'see "paperboy subscribers list"' },
      );
    }
    process.stdout.write(
      flags.json ? `${JSON.stringify(subscriber, null, 2)}\n` : formatSubscriberDetails(subscriber),
    );
  });
}

// ---- add ----

interface AddFlags extends StoreFlags {
  topics: string[] | 'all';
  name?: string;
  keywords?: ReturnType<typeof parseKeywordList>;
  frequency?: FrequencySetting;
  maxPapers?: number;
  resubscribe?: boolean;
}

export async function runAdd(email: string, flags: AddFlags): Promise<void> {
  const address = checkEmail(email);
  await withStore(flags, async ({ store, topics }) => {
    const wasSuppressed = flags.resubscribe ? await store.isSuppressed(address) : false;
    const subscriber = await store.add(
      {
        email: address,
        name: flags.name ?? null,
        topics: knownTopics(flags.topics, topics, '--topics'),
        keywords: flags.keywords,
        maxPapers: flags.maxPapers ?? null,
        ...flags.frequency,
      },
      { resubscribe: flags.resubscribe },
    );
    print([
      `${wasSuppressed ? 'resubscribed' : 'added'} ${formatWho(subscriber)} ${formatSettings(subscriber)}`,
    ]);
  });
}

// ---- topics ----

interface TopicsFlags extends StoreFlags {
  set?: string[] | 'all';
  add?: string[] | 'all';
  remove?: string[] | 'all';
}

/** The new topic list, from the current one: --set replaces, --add and --remove edit. */
function editTopics(current: string[] | 'all', flags: TopicsFlags, who: string): string[] | 'all' {
  if (flags.set !== undefined) return flags.set;
  if (flags.add !== undefined) {
    if (flags.add === 'all' || current === 'all') return 'all';
    return [...current, ...flags.add.filter((id) => !current.includes(id))];
  }
  const removed = flags.remove ?? [];
  if (removed === 'all') {
    throw new PaperboyError('usage', '--remove all: a subscriber needs at least one topic', {
      hint: `to unsubscribe: paperboy subscribers remove ${who}`,
    });
  }
  if (current === 'all') {
    throw new PaperboyError('usage', `${who} gets all topics: there is none to remove`, {
      hint: 'choose their topics with --set a,b',
    });
  }
  const kept = current.filter((id) => !removed.includes(id));
  if (kept.length === 0) {
    throw new PaperboyError('usage', `${who} would be left without topics`, {
      hint: `to unsubscribe: paperboy subscribers remove ${who}`,
    });
  }
  return kept;
}

export async function runTopicsEdit(email: string, flags: TopicsFlags): Promise<void> {
  const given = [flags.set, flags.add, flags.remove].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new PaperboyError('usage', 'give one of --set, --add or --remove');
  }
  await withStore(flags, async ({ store, topics }) => {
    knownTopics(
      given[0] as string[] | 'all',
      topics,
      flags.set ? '--set' : flags.add ? '--add' : '--remove',
    );
    let before: string[] | 'all' = [];
    const subscriber = await store.update(email, (current): SubscriberPatch => {
      before = current.topics;
      return { topics: editTopics(current.topics, flags, current.email) };
    });
    const from = formatTopicList(before);
    const to = formatTopicList(subscriber.topics);
    print([
      from === to
        ? `${formatWho(subscriber)} topics unchanged: ${to}`
        : `${formatWho(subscriber)} topics: ${from} -> ${to}`,
    ]);
  });
}

// ---- remove ----

export async function runRemove(email: string, flags: StoreFlags & { purge?: boolean }) {
  await withStore(flags, async ({ store }) => {
    const { outcome, subscriber } = await store.remove(email, { purge: flags.purge });
    if (outcome === 'purged' && subscriber) {
      print([
        `purged ${formatWho(subscriber)}: record deleted, a sha256 hash of the address kept as a suppression`,
      ]);
    } else if (outcome === 'unsubscribed' && subscriber) {
      print([`unsubscribed ${formatWho(subscriber)}`]);
    } else {
      print([
        subscriber
          ? `${formatWho(subscriber)} is already ${subscriber.status}; nothing changed`
          : `${email.trim()} is already purged; nothing changed`,
      ]);
    }
  });
}

// ---- import ----

interface ImportFlags extends StoreFlags {
  resubscribe?: boolean;
  overwrite?: boolean;
  restore?: boolean;
}

async function readImportFile(file: string): Promise<string> {
  try {
    return file === '-' ? await text(process.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PaperboyError(
      'unreadable',
      `${file}: ${code === 'ENOENT' ? 'file not found' : `cannot be read (${code})`}`,
    );
  }
}

/** One line per entry: what the import did with it, and why when it did nothing. */
function describeImportResult(
  { email, outcome, id, status }: ImportResult,
  subscriber: Subscriber | undefined,
  flags: ImportFlags,
): string {
  const who = id ? `${email} (${id})` : email;
  const settings = subscriber ? ` ${formatSettings(subscriber)}` : '';
  const lines: Record<ImportOutcome, () => string> = {
    added: () =>
      status === 'active'
        ? `added ${who}${settings}`
        : `added ${who} as ${status} (a suppression: never mailed)`,
    updated: () =>
      status === 'active' ? `updated ${who}${settings}` : `updated ${who}: now ${status}`,
    resubscribed: () => `resubscribed ${who}${settings}`,
    unchanged: () =>
      flags.overwrite
        ? `unchanged ${who}: same settings`
        : `skipped ${who}: already on the list (--overwrite replaces their settings)`,
    suppressed: () =>
      `skipped ${who}: ${status ?? 'purged'} here (--resubscribe re-activates, only if they asked to come back)`,
  };
  return lines[outcome]();
}

export async function runImport(file: string, flags: ImportFlags): Promise<void> {
  const label = file === '-' ? 'stdin' : file;
  if (flags.restore && (flags.overwrite || flags.resubscribe)) {
    throw new PaperboyError(
      'usage',
      '--restore puts a whole list into an empty one as it is: --overwrite and --resubscribe do not apply',
    );
  }
  const content = await readImportFile(file);
  if (flags.restore) {
    await runRestore(content, label, flags);
    return;
  }
  await withStore(flags, async ({ store, topics }) => {
    const parsed = parseImportFile(
      content,
      label,
      topics.map((topic) => topic.id),
    );
    const { results } = await store.import(parsed.entries, {
      resubscribe: flags.resubscribe,
      overwrite: flags.overwrite,
    });
    const subscribers = new Map((await store.list()).map((item) => [item.id, item]));
    const lines = results.map((result) =>
      describeImportResult(result, result.id ? subscribers.get(result.id) : undefined, flags),
    );
    const count = (...outcomes: ImportOutcome[]) =>
      results.filter((result) => outcomes.includes(result.outcome)).length;
    print([
      ...lines,
      `${label}: ${count('added')} added, ${count('updated')} updated, ${count('resubscribed')} resubscribed, ${count('unchanged', 'suppressed')} skipped`,
    ]);
    if (parsed.skippedSuppressions > 0) {
      process.stderr.write(
        `paperboy: ${label}: ${parsed.skippedSuppressions} hashed suppression(s) (purged addresses) not imported; --restore moves a whole list, hashes included, into an empty one\n`,
      );
    }
  });
}

/** import --restore: the whole file, as it is, into an empty store. */
async function runRestore(content: string, label: string, flags: ImportFlags): Promise<void> {
  await withStore(flags, async ({ wholeList, topics, label: storeLabel }) => {
    const data = parseRestoreFile(
      content,
      label,
      topics.map((topic) => topic.id),
    );
    const restored = await wholeList.restoreWholeList(data);
    const statuses = SUBSCRIBER_STATUSES.map(
      (status) =>
        `${data.subscribers.filter((subscriber) => subscriber.status === status).length} ${status}`,
    );
    print([
      `${label}: restored ${restored.subscribers} subscriber(s) (${statuses.join(', ')}) and ${restored.suppressions} hashed suppression(s) into ${storeLabel}, with their ids and timestamps`,
    ]);
  });
}

// ---- export ----

export async function runExport(flags: StoreFlags & { format: ExportFormat }) {
  await withStore(flags, async ({ store, wholeList }) => {
    if (flags.format === 'json') {
      const { subscribers, suppressions } = await wholeList.readWholeList();
      process.stdout.write(formatExport(subscribers, 'json', suppressions));
    } else {
      process.stdout.write(formatExport(await store.list(), flags.format));
    }
  });
}

// ---- registration ----

const FILE_HELP = `
The subscriber file is subscribers.json in the working directory, or the config's
"subscribers", or --subscribers FILE. It is plain JSON, sorted by email, safe to edit by hand
(subscribers.example.json shows every field); every command validates it first and never
overwrites a broken file. Changes are locked and atomic: several paperboys may run at once.

With DATABASE_URL=postgres://... set, the list is in PostgreSQL instead (run "paperboy db
migrate" once), and --subscribers is an error. Move a list there with "paperboy subscribers
import subscribers.json --restore", and back with "paperboy subscribers export".`;

function storeOptions(command: Command): Command {
  return command
    .option(
      '--subscribers <file>',
      'the subscriber file (default: the config\'s "subscribers", else ./subscribers.json; not with DATABASE_URL)',
    )
    .option('--config <file>', 'config file (default: $PAPERBOY_CONFIG or ./paperboy.config.json)');
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

const topicsParser = settingParser(parseTopicList);

export function registerSubscribersCommand(program: Command): void {
  const group = program
    .command('subscribers')
    .description('manage the subscriber list: list, show, add, topics, remove, import, export')
    .addHelpText('after', FILE_HELP);

  storeOptions(
    group
      .command('list')
      .description('list the subscribers (all statuses), sorted by email')
      .option('--topic <id>', 'only those who get this topic (including "all" subscribers)')
      .addOption(new Option('--status <status>', 'only this status').choices(SUBSCRIBER_STATUSES))
      .option('--json', 'print JSON: { "subscribers": [ ... ] }'),
  )
    .addHelpText(
      'after',
      examples(
        'paperboy subscribers list --topic graphs --status active',
        'paperboy subscribers list --json',
      ),
    )
    .action((flags: ListFlags) => runList(flags));

  storeOptions(
    group
      .command('show')
      .description("show one subscriber's settings and history")
      .argument('<email>', 'the address (any case) or the sub_ id')
      .option('--json', 'print JSON'),
  )
    .addHelpText('after', examples('paperboy subscribers show ada@example.org'))
    .action((email: string, flags) => runShow(email, flags));

  storeOptions(
    group
      .command('add')
      .description('add a subscriber')
      .argument('<email>', 'the address')
      .requiredOption('--topics <ids>', 'topic ids, comma-separated, or "all"', topicsParser)
      .option('--name <name>', 'how the email greets them')
      .option(
        '--keywords <phrases>',
        'comma-separated phrases that select a paper outside their topics; "-phrase" never selects',
        settingParser(parseKeywordList),
      )
      .option(
        '--frequency <when>',
        'daily (default), or weekly:<weekday> for a weekly digest',
        settingParser(parseFrequency),
      )
      .option(
        '--max-papers <n>',
        "papers per email (default: the config's plan.maxPapers)",
        settingParser(parseMaxPapers),
      )
      .option(
        '--resubscribe',
        're-activate an unsubscribed, bounced or purged address (only if they asked to come back)',
      ),
  )
    .addHelpText(
      'after',
      `${examples(
        'paperboy subscribers add ada@example.org --topics graphs,time-series --name "Ada Lovelace"',
        'paperboy subscribers add alan@example.org --topics all --frequency weekly:monday --max-papers 20',
        'paperboy subscribers add grace@example.org --topics llm,agents --keywords "tool use, -survey"',
      )}\n\nAn address already on the list is refused (exit 7); so is one that unsubscribed, bounced\nor was purged, unless --resubscribe. Run "paperboy topics" for the topic ids.`,
    )
    .action((email: string, flags: AddFlags) => runAdd(email, flags));

  storeOptions(
    group
      .command('topics')
      .description("change a subscriber's topics: replace them, or add or remove some")
      .argument('<email>', 'the address (any case) or the sub_ id')
      .addOption(
        new Option('--set <ids>', 'replace the topics (comma-separated ids, or "all")')
          .argParser(topicsParser)
          .conflicts(['add', 'remove']),
      )
      .addOption(
        new Option('--add <ids>', 'add these topics').argParser(topicsParser).conflicts('remove'),
      )
      .addOption(new Option('--remove <ids>', 'remove these topics').argParser(topicsParser)),
  )
    .addHelpText(
      'after',
      examples(
        'paperboy subscribers topics ada@example.org --add llm',
        'paperboy subscribers topics ada@example.org --remove time-series',
        'paperboy subscribers topics ada@example.org --set all',
      ),
    )
    .action((email: string, flags: TopicsFlags) => runTopicsEdit(email, flags));

  storeOptions(
    group
      .command('remove')
      .description(
        'unsubscribe an address (kept as a suppression, so it is never re-added by mistake)',
      )
      .argument('<email>', 'the address (any case) or the sub_ id')
      .option(
        '--purge',
        'delete their personal data too, keeping only a sha256 hash of the address as a suppression',
      ),
  )
    .addHelpText(
      'after',
      `${examples('paperboy subscribers remove ada@example.org', 'paperboy subscribers remove ada@example.org --purge')}\n\nThe hash is a plain sha256 of the lower-cased address: it keeps the address out of the file,\nbut anyone who has an address can check whether it is in the list.`,
    )
    .action((email: string, flags) => runRemove(email, flags));

  storeOptions(
    group
      .command('import')
      .description('add subscribers from a JSON or CSV file (all or nothing)')
      .argument('<file>', 'the file, or - for stdin')
      .option('--overwrite', 'replace the settings of subscribers already on the list')
      .option(
        '--resubscribe',
        're-activate unsubscribed, bounced or purged addresses (only if they asked to come back)',
      )
      .option(
        '--restore',
        'put a whole subscriber file (as export writes it) into an empty list as it is: ids, timestamps, hashed suppressions',
      ),
  )
    .addHelpText(
      'after',
      `${examples('paperboy subscribers import people.csv', 'paperboy subscribers export > backup.json && paperboy subscribers import backup.json --subscribers other.json', 'DATABASE_URL=postgres://... paperboy subscribers import subscribers.json --restore')}

JSON: the subscriber file's format ({ "subscribers": [ ... ] }, as "export" writes it), or a
list of entries; ids and timestamps in it are ignored, a status other than active is kept (an
unknown address comes in as a suppression).
CSV: a header row, then one subscriber a row. Columns: email and topics (required), name,
keywords, frequency, maxPapers, status (id and the timestamps are ignored). Cells read like the
flags of "add": topics "graphs;time-series" (or spaces, or commas in a quoted cell),
keywords "tool use, -survey", frequency "weekly:monday".

  email,name,topics
  ada@example.org,Ada Lovelace,graphs;time-series
  grace@example.org,,"llm, agents"

The whole file is checked first (every problem with its line); nothing is imported if any
entry is bad. Addresses already on the list are left as they are unless --overwrite.

--restore moves a whole list: the file is our subscriber file (subscribers.json, or an export),
and every record keeps its id (so the links already mailed keep working), its timestamps and its
status, and every hashed suppression of a purged address is kept. Only into an empty list (a
fresh database, or a file that does not exist yet); all or nothing.`,
    )
    .action((file: string, flags: ImportFlags) => runImport(file, flags));

  storeOptions(
    group
      .command('export')
      .description('print every subscriber (all statuses) as JSON or CSV on stdout')
      .addOption(
        new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('json'),
      ),
  )
    .addHelpText(
      'after',
      `${examples('paperboy subscribers export > backup.json', 'paperboy subscribers export --format csv > subscribers.csv')}\n\nBoth read back with "paperboy subscribers import". JSON is the subscriber file itself, with the\nhashed suppressions of purged addresses: "import --restore" puts it back as it is, and it can be\nused as subscribers.json. In CSV, a cell starting with = + - or @ is written with a leading '\nso spreadsheets do not run it as a formula; import removes it.`,
    )
    .action((flags) => runExport(flags));

  for (const command of [group, ...group.commands]) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
    command.configureOutput(program.configureOutput());
  }
}
