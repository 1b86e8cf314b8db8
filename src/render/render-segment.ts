// Compile once, render once per segment, personalize per recipient. MJML (slow, ~40 ms) runs once
// per renderer, on the template itself with its Handlebars expressions still in it; each segment
// is then that HTML filled by Handlebars (well under a millisecond), and a recipient's copy is the
// segment's email with their values joined in at markers.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { checkExpressions, runMjml } from './compile-mjml.js';
import { buildDigestModel, type DigestInput } from './digest-model.js';
import {
  createSlotMarkers,
  createSlotter,
  fillSlots,
  type SlottedText,
  type SlotValues,
} from './slots.js';
import type { CompiledTemplate, DigestTemplates } from './templates.js';

export interface RenderedSegment {
  segmentId: string;
  subject: string;
  preheader: string;
  html: SlottedText;
  text: SlottedText;
  /** Papers shown in the email. */
  paperIds: string[];
}

export interface PersonalizedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface RecipientValues {
  name: string | null;
  unsubscribeUrl: string;
  preferencesUrl: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] as string);
}

export interface Renderer {
  renderSegment(input: Omit<DigestInput, 'markers'>): Promise<RenderedSegment>;
  /** How many times MJML ran: once per renderer, whatever the number of segments. */
  readonly stats: { mjmlCompiles: number };
}

/** Part of the cache key: bump it when runMjml's options change what MJML writes. */
const CACHE_FORMAT = 1;
/** Part of the cache key: another MJML may compile the same template differently. */
const MJML_VERSION = (createRequire(import.meta.url)('mjml/package.json') as { version: string })
  .version;

export interface RendererOptions {
  /**
   * Where the compiled template is kept between runs (`<dataDir>/cache`), keyed by the template's
   * text and the MJML version: a daily send then never loads MJML. Null: compile every time.
   */
  cacheDir?: string | null;
  /** False: use a cached compile but never write one (a dry run writes nothing). */
  writeCache?: boolean;
}

/** The cache file of a template: its name and a hash of everything the compiled HTML depends on. */
function cachePath(cacheDir: string, templates: DigestTemplates): string {
  const key = createHash('sha256')
    .update(`${CACHE_FORMAT}\0${MJML_VERSION}\0${templates.mjml}`)
    .digest('hex')
    .slice(0, 32);
  return join(cacheDir, `digest-${key}.html`);
}

export function createRenderer(
  templates: DigestTemplates,
  options: RendererOptions = {},
): Renderer {
  const stats = { mjmlCompiles: 0 };
  const label = templates.label('mjml');
  // Filling the template in after MJML gives the email that filling it in before did: MJML passes
  // the text holding the expressions through verbatim, and checkExpressions fails on a template
  // where it would not (test/render/render-once.test.ts compares both). Compiled at the first
  // render, so a broken template fails there, as it always did; the failure is kept.
  let html: Promise<CompiledTemplate> | undefined;
  async function compileHtml(): Promise<CompiledTemplate> {
    const cached = options.cacheDir ? cachePath(options.cacheDir, templates) : null;
    if (cached) {
      const html = await readFile(cached, 'utf8').catch(() => null);
      if (html !== null) return templates.compileHtml(html);
    }
    stats.mjmlCompiles++;
    const compiled = await runMjml(templates.mjml, label);
    checkExpressions(templates.mjml, compiled, label);
    if (cached && options.writeCache !== false) {
      // Only a cache: a run that cannot write it compiles again next time.
      await mkdir(dirname(cached), { recursive: true })
        .then(() => writeFileAtomic(cached, compiled))
        .catch(() => undefined);
    }
    return templates.compileHtml(compiled);
  }
  // One set of markers per renderer: random, so no paper's text can hold one by chance.
  const markers = createSlotMarkers();
  const slotted = createSlotter(markers);
  return {
    stats,
    async renderSegment(input) {
      html ??= compileHtml();
      const template = await html;

      const model = buildDigestModel({ ...input, markers });
      return {
        segmentId: input.segment.id,
        subject: model.subject,
        preheader: model.preheader,
        html: slotted(template(model)),
        text: slotted(templates.text(model)),
        paperIds: input.segment.papers.slice(0, model.papers.length).map((p) => p.paperId),
      };
    },
  };
}

/** What fills a recipient's slots: the greeting their name makes, and their links. */
export function slotValuesFor(recipient: RecipientValues): SlotValues {
  return {
    greeting: recipient.name ? `Hi ${recipient.name}, ` : '',
    unsubscribeUrl: recipient.unsubscribeUrl,
    preferencesUrl: recipient.preferencesUrl,
  };
}

/** One recipient's copy: string joins, no template engine. */
export function personalize(
  rendered: RenderedSegment,
  recipient: RecipientValues,
): PersonalizedEmail {
  const values = slotValuesFor(recipient);
  return {
    subject: rendered.subject,
    html: fillSlots(rendered.html, values, escapeHtml),
    text: fillSlots(rendered.text, values),
  };
}
