// Loads the email templates once and compiles them with Handlebars: the text one now, the MJML one
// once MJML has turned it into HTML (render-segment.ts). Users edit them in templates/ (or point
// `templatesDir` at their own copy) without touching code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { PaperboyError } from '../errors.js';

/** The bundled templates: src/render and dist/render are both two levels below the root. */
export const BUNDLED_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export const TEMPLATE_FILES = { mjml: 'digest.mjml', text: 'digest.txt' } as const;

export type CompiledTemplate = (data: unknown) => string;

export interface DigestTemplates {
  dir: string;
  /** digest.mjml as written: MJML with Handlebars expressions in it, compiled by the renderer. */
  mjml: string;
  /** Handlebars (escaping every value) for the HTML that MJML compiled from `mjml`. */
  compileHtml(html: string): CompiledTemplate;
  /** Handlebars -> the plain-text part (not escaped). */
  text: CompiledTemplate;
  /** Names a template in messages: `templates/digest.mjml`. */
  label(kind: keyof typeof TEMPLATE_FILES): string;
}

function createHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('join', (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '',
  );
  return hb;
}

/** A template's source, checked for Handlebars syntax errors now rather than at the first render. */
function readTemplate(hb: typeof Handlebars, path: string): string {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PaperboyError(
      'config',
      `${path}: template cannot be read (${(error as NodeJS.ErrnoException).code})`,
      {
        hint: 'templatesDir must hold digest.mjml and digest.txt',
      },
    );
  }
  try {
    // Handlebars parses lazily, on the first render: parse now so a syntax error shows at load.
    hb.parse(source);
  } catch (error) {
    throw new PaperboyError('config', `${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  return source;
}

/** Compiles `source` with Handlebars; errors name `path`, the template file it came from. */
function compile(
  hb: typeof Handlebars,
  path: string,
  source: string,
  noEscape: boolean,
): CompiledTemplate {
  // `strict` makes a misspelt {{variable}} an error instead of an empty string.
  const template = hb.compile(source, { noEscape, strict: true });
  return (data) => {
    try {
      return template(data);
    } catch (error) {
      throw new PaperboyError('config', `${path}: ${(error as Error).message.split('\n')[0]}`, {
        hint: 'the data a template sees is described in templates/README.md',
      });
    }
  };
}

export function loadTemplates(dir: string = BUNDLED_TEMPLATES_DIR): DigestTemplates {
  const hb = createHandlebars();
  const mjmlPath = join(dir, TEMPLATE_FILES.mjml);
  const textPath = join(dir, TEMPLATE_FILES.text);
  return {
    dir,
    mjml: readTemplate(hb, mjmlPath),
    compileHtml: (html) => compile(hb, mjmlPath, html, false),
    text: compile(hb, textPath, readTemplate(hb, textPath), true),
    label: (kind) => join(dir, TEMPLATE_FILES[kind]),
  };
}

/** The subject line template (config `email.subject`): plain text, so not escaped. */
export function compileSubject(
  source: string,
): (values: Record<string, string | number>) => string {
  const template = createHandlebars().compile(source, { noEscape: true, strict: true });
  return (values) => {
    try {
      return template(values).replace(/\s+/g, ' ').trim();
    } catch (error) {
      throw new PaperboyError(
        'config',
        `email.subject: ${(error as Error).message.split('\n')[0]}`,
        {
          hint: 'the subject may use {{date}}, {{longDate}}, {{top}}, {{count}} and {{topics}}',
        },
      );
    }
  };
}
