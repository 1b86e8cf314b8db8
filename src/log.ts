// Structured logs for the long-running `paperboy serve`: one line per event. JSON (one object a
// line: time, level, event, then the event's fields) when the stream is not a terminal, so a
// process manager or log shipper can parse it; `HH:MM:SS level event key=value ...` on a terminal.

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Default: process.stdout. */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** Default: JSON unless the stream is a TTY. */
  json?: boolean;
  now?: () => Date;
}

function plainValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** Errors become their message (and a PaperboyError's hint); everything else as is. */
function normalize(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value instanceof Error) {
      out[key] = value.message;
      const hint = (value as { hint?: unknown }).hint;
      if (typeof hint === 'string') out[`${key}Hint`] = hint;
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function formatLogLine(
  level: LogLevel,
  event: string,
  fields: LogFields,
  at: Date,
  json: boolean,
): string {
  const clean = normalize(fields);
  if (json) return `${JSON.stringify({ time: at.toISOString(), level, event, ...clean })}\n`;
  const pairs = Object.entries(clean).map(([key, value]) => `${key}=${plainValue(value)}`);
  const time = at.toISOString().slice(11, 19);
  return `${[time, level.padEnd(5), event, ...pairs].join(' ')}\n`;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stdout;
  const json = options.json ?? !stream.isTTY;
  const now = options.now ?? (() => new Date());
  const write =
    (level: LogLevel) =>
    (event: string, fields: LogFields = {}) => {
      stream.write(formatLogLine(level, event, fields, now(), json));
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
