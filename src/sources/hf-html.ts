// HF's server-rendered papers pages carry their data as JSON in the hydration element
// `<div data-target="DailyPapers" data-props="{...}">`. Reading that JSON survives the page's
// CSS changes, which have broken selector-based scrapers repeatedly.
import { Parser } from 'htmlparser2';
import { PaperboyError } from '../errors.js';
import type { ParsedIssue } from '../types.js';
import { parseYmd } from './dates.js';
import { type HfJsonOptions, parseHfJson } from './hf-json.js';

/** The decoded `data-props` attribute of the DailyPapers element, or null when there is none. */
export function extractDailyPapersProps(html: string): string | null {
  let props: string | null = null;
  const parser = new Parser(
    {
      onopentag(_name, attributes) {
        if (props === null && attributes['data-target'] === 'DailyPapers') {
          props = attributes['data-props'] ?? null;
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return props;
}

export function parseHfHtml(html: string, options: HfJsonOptions = {}): ParsedIssue[] {
  const props = extractDailyPapersProps(html);
  if (props === null) {
    throw new PaperboyError(
      'invalidInput',
      'no element with data-target="DailyPapers" and data-props in this HTML',
      { hint: 'save a Hugging Face papers page (/papers/date/YYYY-MM-DD or /papers?q=...)' },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(props);
  } catch (error) {
    throw new PaperboyError(
      'invalidInput',
      `the DailyPapers data-props is not valid JSON (${(error as Error).message})`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PaperboyError('invalidInput', 'the DailyPapers data-props is not a JSON object');
  }
  const data = value as Record<string, unknown>;
  if (!Array.isArray(data.dailyPapers) && !Array.isArray(data.searchResults)) {
    throw new PaperboyError(
      'invalidInput',
      'the DailyPapers data-props has neither "dailyPapers" nor "searchResults"',
    );
  }
  // A date page names its day; use it for papers that carry no submission date.
  const pageDate = typeof data.dateString === 'string' ? parseYmd(data.dateString) : null;
  return parseHfJson(value, {
    ...options,
    anchorDate: options.anchorDate ?? pageDate ?? undefined,
  });
}
