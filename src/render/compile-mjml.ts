// MJML, run on the digest template itself, its Handlebars expressions still in it: once per
// renderer, not per segment (render-segment.ts). MJML passes text through verbatim (mj-text,
// mj-raw, mj-title, mj-preview), so the expressions come out as they went in, ready for
// Handlebars. Two things in a template would silently break that; checkExpressions catches them.
import { PaperboyError } from '../errors.js';

interface MjmlProblem {
  tagName?: string;
  message: string;
}

/** Each problem once, with its tag: `<mj-text>: Attribute colour is illegal`. */
function describeMjmlErrors(errors: readonly MjmlProblem[]): string {
  const unique = [
    ...new Set(errors.map((e) => (e.tagName ? `<${e.tagName}>: ${e.message}` : e.message))),
  ];
  return (
    unique.slice(0, 3).join('; ') + (unique.length > 3 ? ` (and ${unique.length - 3} more)` : '')
  );
}

/**
 * MJML -> HTML, strict: a template MJML does not accept is an error naming it. `path` is the
 * template's file: errors name it, and MJML resolves mj-include from it.
 */
export async function runMjml(source: string, path: string): Promise<string> {
  const invalid = (problems: readonly MjmlProblem[]) =>
    new PaperboyError('config', `${path}: invalid MJML: ${describeMjmlErrors(problems)}`, {
      hint: 'fix the template; MJML runs in strict mode',
    });
  // Loaded on demand: MJML and its dependencies take ~60 MB and a second to load, and a run that
  // finds the compiled template in its cache (render-segment.ts) never needs them.
  const { default: mjml2html } = await import('mjml');
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    result = await mjml2html(source, {
      validationLevel: 'strict',
      keepComments: false,
      fonts: {},
      minify: true,
      // MJML 5's CSS minifier (cssnano) does not load on Node 20; HTML is still minified.
      minifyOptions: { minifyCss: false },
      filePath: path,
    });
  } catch (error) {
    throw invalid(
      (error as { errors?: MjmlProblem[] }).errors ?? [{ message: (error as Error).message }],
    );
  }
  if (result.errors.length > 0) throw invalid(result.errors);
  return result.html;
}

const HANDLEBARS_COMMENT = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g;
const EXPRESSION = /\{\{[\s\S]*?\}\}/g;
/** Style attributes and Outlook conditional comments: where MJML copies attribute values. */
const CSS_OR_OUTLOOK = /style="[^"]*"|<!--\[if [^\]]*\]>[\s\S]*?<!\[endif\]-->/g;

function countExpressions(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [expression] of text.matchAll(EXPRESSION))
    counts.set(expression, (counts.get(expression) ?? 0) + 1);
  return counts;
}

/**
 * Fails, naming the template, when MJML did not pass its Handlebars through intact:
 * - MJML drops text between sections without a word, so a bare {{#each}} there would vanish;
 *   every expression of the template must still be in the HTML, unchanged (copies are fine:
 *   mj-title's also goes in an aria-label);
 * - an expression in an MJML attribute lands in CSS or Outlook-only markup, which MJML builds for
 *   the final value: it splits css-class and adds `-outlook` to each part, reads border widths...
 */
export function checkExpressions(source: string, html: string, path: string): void {
  const compiled = countExpressions(html);
  for (const [expression, count] of countExpressions(source.replace(HANDLEBARS_COMMENT, ''))) {
    if ((compiled.get(expression) ?? 0) < count) {
      throw new PaperboyError('config', `${path}: MJML dropped or changed ${expression}`, {
        hint: 'put block helpers between sections in <mj-raw>, and no Handlebars in <mj-…> attributes (templates/README.md)',
      });
    }
  }
  for (const [place] of html.matchAll(CSS_OR_OUTLOOK)) {
    if (!place.includes('{{')) continue;
    const attribute = /[\w-]+="[^"]*\{\{[^"]*"/.exec(place)?.[0] ?? place;
    throw new PaperboyError(
      'config',
      `${path}: Handlebars in an MJML attribute: ${attribute.length > 100 ? `${attribute.slice(0, 100)}…` : attribute}`,
      {
        hint: 'use fixed values in <mj-…> attributes; for a section that differs, a second variant in {{#if}} in <mj-raw> (templates/README.md)',
      },
    );
  }
}
