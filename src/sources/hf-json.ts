// The HF API shapes: `/api/daily_papers` items ({ paper, numComments, ... }), the flat
// `/api/papers/{id}` object, and the `dailyPapers` / `searchResults` arrays of the page's JSON.
// Each item is validated on its own, so one bad record costs a warning, not the whole issue.
import { z } from 'zod';
import { PaperboyError } from '../errors.js';
import type { ParsedIssue, ParsedPaper, ParseWarning } from '../types.js';
import { isoToUtcDay, todayUtc } from './dates.js';
import { formatJsonPath, formatZodIssue } from './json-path.js';
import { cleanAbstract, collapseWhitespace } from './latex.js';
import { buildLinks, findCodeUrl, normalizeRepoUrl, toHttpsUrl } from './links.js';
import { mergeIssues } from './merge-issues.js';
import { titleId } from './paper-id.js';

const optionalString = z.string().nullish();

const organizationSchema = z.object({ name: optionalString, fullname: optionalString }).nullish();

/** The flat paper object; unknown fields pass through untouched. */
const paperSchema = z.object({
  id: z.string().min(1, 'expected a non-empty id'),
  title: z.string(),
  summary: optionalString,
  authors: z.array(z.object({ name: z.string() })).nullish(),
  publishedAt: optionalString,
  submittedOnDailyAt: optionalString,
  upvotes: z.number().nullish(),
  projectPage: optionalString,
  githubRepo: optionalString,
  ai_summary: optionalString,
  ai_keywords: z.array(z.string()).nullish(),
  organization: organizationSchema,
});

const dailyItemSchema = z.object({
  paper: paperSchema,
  numComments: z.number().nullish(),
  organization: organizationSchema,
});

type FlatPaper = z.infer<typeof paperSchema>;
type DailyItem = z.infer<typeof dailyItemSchema>;

export interface HfJsonOptions {
  /** Forces every paper into this issue date (a live fetch for a given day). */
  date?: string;
  /** YYYY-MM-DD (--date) for items that carry no `submittedOnDailyAt`. */
  anchorDate?: string;
  /** Used in place of anchorDate when none was given; defaults to today (UTC). */
  today?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the list of items in any of the accepted shapes, or says what was expected. */
function locateItems(value: unknown): { items: unknown[]; path: PropertyKey[] } {
  if (Array.isArray(value)) return { items: value, path: [] };
  if (isObject(value)) {
    for (const key of ['dailyPapers', 'searchResults'] as const) {
      if (Array.isArray(value[key])) return { items: value[key] as unknown[], path: [key] };
    }
    if ('paper' in value || ('id' in value && 'title' in value))
      return { items: [value], path: [] };
  }
  throw new PaperboyError(
    'invalidInput',
    `${formatJsonPath([])}: expected an array of daily papers (/api/daily_papers), a paper object (/api/papers/{id}) or an object with "dailyPapers"`,
  );
}

function toPaper(paper: FlatPaper, item: DailyItem | null): ParsedPaper {
  const title = collapseWhitespace(paper.title);
  const id = paper.id.trim() || titleId(title);
  const rawAbstract = paper.summary ?? '';
  const authors = (paper.authors ?? []).map((a) => collapseWhitespace(a.name)).filter(Boolean);
  const organization = paper.organization ?? item?.organization;
  const keywords = (paper.ai_keywords ?? []).map(collapseWhitespace).filter(Boolean);
  return {
    id,
    title,
    abstract: cleanAbstract(rawAbstract),
    authors,
    authorsCount: paper.authors ? authors.length : null,
    organization: organization?.fullname || organization?.name || null,
    publishedAt: paper.publishedAt ? isoToUtcDay(paper.publishedAt) : null,
    upvotes: paper.upvotes ?? null,
    comments: item?.numComments ?? 0,
    links: buildLinks({
      id,
      title,
      code: normalizeRepoUrl(paper.githubRepo) ?? findCodeUrl(rawAbstract),
      project: toHttpsUrl(paper.projectPage),
    }),
    summary: paper.ai_summary ? collapseWhitespace(paper.ai_summary) : null,
    keywords: [...new Set(keywords)],
  };
}

/**
 * Parses already-decoded API JSON. Items are grouped into issues by the day they entered Daily
 * Papers (`submittedOnDailyAt`, UTC). Throws only when the top-level shape is wrong or no item
 * at all is usable; otherwise bad items become warnings naming their JSON path.
 */
export function parseHfJson(value: unknown, options: HfJsonOptions = {}): ParsedIssue[] {
  const anchor = options.anchorDate ?? options.today ?? todayUtc();
  const { items, path } = locateItems(value);
  const issues: ParsedIssue[] = [];
  const warnings: ParseWarning[] = [];
  const errors: string[] = [];
  let undated = 0;

  items.forEach((raw, index) => {
    const isDaily = isObject(raw) && 'paper' in raw;
    const result = isDaily ? dailyItemSchema.safeParse(raw) : paperSchema.safeParse(raw);
    if (!result.success) {
      const first = result.error.issues[0] as z.core.$ZodIssue;
      const prefix = Array.isArray(value) || path.length > 0 ? [...path, index] : [];
      const message = formatZodIssue(first, prefix);
      errors.push(message);
      warnings.push({ line: null, message: `${message}; item skipped` });
      return;
    }
    const item = isDaily ? (result.data as DailyItem) : null;
    const paper = item ? item.paper : (result.data as FlatPaper);
    const submitted = paper.submittedOnDailyAt ? isoToUtcDay(paper.submittedOnDailyAt) : null;
    if (!options.date && !submitted) undated++;
    const date = options.date ?? submitted ?? anchor;
    issues.push({ date, papers: [toPaper(paper, item)], warnings: [] });
  });

  if (issues.length === 0 && errors.length > 0) {
    throw new PaperboyError('invalidInput', errors[0] as string, {
      hint: errors.length > 1 ? `and ${errors.length - 1} more item(s) with problems` : undefined,
    });
  }
  if (undated > 0) {
    warnings.push({
      line: null,
      message: `${undated} paper(s) carry no submittedOnDailyAt; dated ${anchor}${options.anchorDate ? '' : ' (today): pass --date to set it'}`,
    });
  }
  const merged = mergeIssues(issues);
  const first = merged[0] ?? { date: options.date ?? anchor, papers: [], warnings: [] };
  if (merged.length === 0) merged.push(first);
  first.warnings = [...warnings, ...first.warnings];
  return merged;
}
