// What parse, topics and digest share: config -> topics -> source -> classified issues, with
// warnings reported on stderr as `warning: <source>:<line>: <message>`.
import { PaperboyError } from '../errors.js';
import { SAMPLE } from '../sample.js';
import { parseYmd } from '../sources/dates.js';
import { loadIssues, type SourceFormat } from '../sources/index.js';
import { classifyPapers } from '../topics/classify.js';
import type { Issue, Topic } from '../types.js';
import { type Context, loadContext } from './context.js';

export interface SourceFlags {
  date?: string;
  format?: SourceFormat | 'auto';
  config?: string;
}

export interface Loaded {
  topics: Topic[];
  issues: Issue[];
  /** How the source is named in messages. */
  label: string;
}

export function checkDate(date: string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const valid = parseYmd(date);
  if (!valid)
    throw new PaperboyError('usage', `--date ${date}: expected a calendar date as YYYY-MM-DD`);
  return valid;
}

/** Loads and classifies a source (the bundled sample when none is given); prints warnings. */
export async function loadClassifiedIssues(
  source: string | undefined,
  flags: SourceFlags,
  context?: Context,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<Loaded> {
  const { topics } = context ?? loadContext(flags.config);
  const date = checkDate(flags.date) ?? (source === undefined ? SAMPLE.date : undefined);
  const path = source ?? SAMPLE.path;
  const label = source ?? SAMPLE.label;
  const parsed = await loadIssues(path, {
    date,
    format: flags.format,
    fetch: {
      onRetry: (info) =>
        stderr.write(
          `paperboy: ${info.reason} from ${info.url}; retrying in ${Math.ceil(info.delayMs / 1000)}s (attempt ${info.attempt + 1} of ${info.attempts})\n`,
        ),
    },
  });
  const issues = parsed.map((issue) => ({
    ...issue,
    papers: classifyPapers(issue.papers, topics),
  }));
  for (const issue of issues) {
    for (const warning of issue.warnings) {
      const where = warning.line === null ? label : `${label}:${warning.line}`;
      stderr.write(`warning: ${where}: ${warning.message}\n`);
    }
  }
  const live = path.startsWith('hf:');
  if (live && issues.every((issue) => issue.papers.length === 0)) {
    // Weekends and holidays have no list: that is news, not an error.
    stderr.write(
      `paperboy: no papers on ${issues.map((i) => i.date).join(', ')} (a weekend or holiday?)\n`,
    );
  } else if (issues.every((issue) => issue.papers.length === 0)) {
    throw new PaperboyError('invalidInput', `${label}: no papers found`, {
      hint: issues.some((i) => i.warnings.length > 0)
        ? 'see the warnings above'
        : 'is this a copy of the Hugging Face papers page, HF API JSON or a saved HF papers page?',
    });
  }
  return { topics, issues, label };
}
