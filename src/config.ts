// Configuration: defaults <- config file <- environment <- flags, validated once with every
// problem reported together. Only what the shipped commands use lives here.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PaperboyError } from './errors.js';
import { formatZodIssue } from './sources/json-path.js';
import { parseJsonText } from './sources/parse-json-text.js';

export const DEFAULT_CONFIG_FILE = 'paperboy.config.json';
export const DEFAULT_SUBSCRIBERS_FILE = 'subscribers.json';
export const DEFAULT_DATA_DIR = 'data';
/** Not a real site: previews work without configuration, and the preview says so. */
export const DEFAULT_BASE_URL = 'https://paperboy.example.org';

/** Whether Intl knows `zone` as a time zone (IANA names such as Europe/Berlin, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /**
   * Topic id -> extra rules for a shipped topic, or a whole new topic. Checked in detail by
   * resolveTopics, which knows the taxonomy and can suggest the closest id.
   */
  topics: z.record(z.string(), z.unknown()).optional(),
  /** The subscriber file of the JSON store (relative to the working directory). */
  subscribers: z.string().min(1).default(DEFAULT_SUBSCRIBERS_FILE),
  /** Where paperboy keeps its own state: send history, plans, the outbox. */
  dataDir: z.string().min(1).default(DEFAULT_DATA_DIR),
  /** Who the digest is from; the postal address is required by law before anything is sent. */
  sender: z
    .strictObject({
      name: z.string().min(1).default('Trending Papers'),
      address: z.email().default('papers@example.org'),
      replyTo: z.email().optional(),
      /** CAN-SPAM: a physical postal address in every email. `send` refuses to run without it. */
      postalAddress: z.string().trim().min(1).optional(),
    })
    .prefault({}),
  /** The public origin of the links in every email (unsubscribe, preferences, web archive). */
  baseUrl: z
    .url({ protocol: /^https$/, error: 'expected an absolute https:// URL' })
    .default(DEFAULT_BASE_URL),
  /** Handlebars + MJML templates; the bundled ones when not set. */
  templatesDir: z.string().min(1).optional(),
  email: z
    .strictObject({
      /**
       * Handlebars, filled per segment: {{date}} (Oct 31), {{longDate}}, {{top}} (the top paper's
       * title), {{count}}, {{topics}}.
       */
      subject: z.string().min(1).default('{{top}} · Trending papers, {{date}}'),
    })
    .prefault({}),
  /** How `send` delivers. The SMTP server itself comes from SMTP_URL (credentials stay out of files). */
  delivery: z
    .strictObject({
      /** Messages in flight at once, and the SMTP pool's connections. */
      concurrency: z.int().min(1).max(100).default(5),
      /** Messages per SMTP connection before it is recycled. */
      maxMessages: z.int().min(1).default(100),
      /** At most this many messages per `rateDelta` ms (the provider's limit); none when unset. */
      rateLimit: z.int().min(1).optional(),
      rateDelta: z.int().min(1).default(1000),
      /** Attempts after the first for a transient failure (4xx, 421, dropped connection, timeout). */
      retries: z.int().min(0).max(10).default(3),
      /** First retry delay; doubles each time, with jitter. */
      backoffMs: z.int().min(0).default(1000),
      /** SMTP connection, greeting and socket timeouts. */
      timeoutMs: z.int().min(1000).default(30_000),
      /** Strikes before an address is marked bounced: permanent failures, and runs of transient ones. */
      hardBounceLimit: z.int().min(1).default(1),
      softBounceLimit: z.int().min(1).default(3),
      /** Pause the run when this share of attempts fails (after `pauseMinAttempts`). */
      pauseFailureRate: z.number().min(0).max(1).default(0.2),
      pauseMinAttempts: z.int().min(1).default(20),
      /** With DATABASE_URL: recipients per queued job (one segment's, claimed and sent together). */
      batchSize: z.int().min(1).max(1000).default(200),
      /**
       * With DATABASE_URL: how long a worker may hold a job. A job held longer (its worker died)
       * is given to another worker; a worker stops a job a little before, and queues the rest.
       */
      jobTimeoutSeconds: z.int().min(10).max(86_399).default(600),
      /** A mailto: target added to List-Unsubscribe, e.g. unsubscribe@example.org. */
      unsubscribeMailto: z.email().optional(),
      /** DKIM signing (nodemailer): the key file, selector and domain. */
      dkim: z
        .strictObject({
          domainName: z.string().min(1),
          keySelector: z.string().min(1),
          privateKeyPath: z.string().min(1),
        })
        .optional(),
    })
    .prefault({}),
  /** `paperboy serve`: when the daily send runs, and what it reads. */
  schedule: z
    .strictObject({
      /**
       * node-cron expression (5 fields, or 6 with seconds first): weekdays at 08:00 by default.
       * Checked by `paperboy serve`, which loads node-cron (the other commands do not).
       */
      cron: z.string().trim().min(1).default('0 8 * * 1-5'),
      /** The IANA time zone the expression is read in; explicit, so a server's TZ cannot move it. */
      timezone: z.string().trim().min(1).default('UTC').refine(isTimeZone, {
        error: 'expected an IANA time zone such as "UTC" or "Europe/Berlin"',
      }),
      /** What each run sends, as `paperboy send <source>` would. */
      source: z.string().trim().min(1).default('hf:latest'),
    })
    .prefault({}),
  plan: z
    .strictObject({
      /** Papers per email when a subscriber sets no cap. */
      maxPapers: z.int().min(1).max(100).default(10),
      /** A paper a segment received within this many days is not sent to it again. */
      historyDays: z.int().min(0).max(3650).default(30),
      /** Send a short "nothing on your topics today" note instead of no email. */
      sendEmpty: z.boolean().default(false),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type PlanConfig = Config['plan'];
export type ScheduleConfig = Config['schedule'];

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or null when the defaults are used. */
  path: string | null;
}

/**
 * Loads the config file: `explicitPath` (--config) must exist; otherwise PAPERBOY_CONFIG, then
 * ./paperboy.config.json if present, else the built-in defaults.
 */
export function loadConfig(
  explicitPath?: string,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const loaded = readConfigFile(explicitPath, env);
  // The environment wins over the file: the public origin is set per deployment.
  const baseUrl = env.PAPERBOY_BASE_URL?.trim();
  if (baseUrl) {
    const result = configSchema.shape.baseUrl.safeParse(baseUrl);
    if (!result.success) {
      throw new PaperboyError(
        'config',
        `PAPERBOY_BASE_URL=${baseUrl}: expected an absolute https:// URL`,
        {
          hint: 'the public origin of the unsubscribe and preference pages, e.g. https://papers.example.org',
        },
      );
    }
    loaded.config.baseUrl = result.data;
  }
  loaded.config.baseUrl = loaded.config.baseUrl.replace(/\/+$/, '');
  return loaded;
}

function readConfigFile(explicitPath: string | undefined, env: NodeJS.ProcessEnv): LoadedConfig {
  const requested = explicitPath ?? env.PAPERBOY_CONFIG;
  const path = requested ? resolve(requested) : resolve(DEFAULT_CONFIG_FILE);
  if (!requested && !existsSync(path)) return { config: configSchema.parse({}), path: null };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PaperboyError(
      'config',
      `${requested}: config file ${code === 'ENOENT' ? 'not found' : `cannot be read (${code})`}`,
      {
        cause: error,
      },
    );
  }
  const label = requested ?? DEFAULT_CONFIG_FILE;
  let value: unknown;
  try {
    value = parseJsonText(text, label);
  } catch (error) {
    throw new PaperboyError('config', (error as Error).message);
  }
  const result = configSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${formatZodIssue(issue)}`);
    throw new PaperboyError(
      'config',
      `${label}: ${problems.length} problem(s):\n${problems.join('\n')}`,
    );
  }
  return { config: result.data, path };
}
