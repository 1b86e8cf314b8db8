// Render once per segment, personalize per recipient: MJML (slow, ~40 ms) runs once for each
// distinct paper selection; a recipient's copy is the segment's email with their values joined in.
import mjml2html from 'mjml';
import { PaperboyError } from '../errors.js';
import { buildDigestModel, type DigestInput } from './digest-model.js';
import {
  createSlotMarkers,
  fillSlots,
  type SlottedText,
  type SlotValues,
  toSlotted,
} from './slots.js';
import type { DigestTemplates } from './templates.js';

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

interface MjmlProblem {
  tagName?: string;
  message: string;
}

/**
 * MJML reports each problem with a line number that counts the Handlebars output, not the
 * template, so keep the tag and the problem, once each: `<mj-text>: Attribute colour is illegal`.
 */
function describeMjmlErrors(errors: readonly MjmlProblem[]): string {
  const unique = [
    ...new Set(errors.map((e) => (e.tagName ? `<${e.tagName}>: ${e.message}` : e.message))),
  ];
  return (
    unique.slice(0, 3).join('; ') + (unique.length > 3 ? ` (and ${unique.length - 3} more)` : '')
  );
}

export interface Renderer {
  renderSegment(input: Omit<DigestInput, 'markers'>): Promise<RenderedSegment>;
  /** How many times MJML ran: once per segment, never per recipient. */
  readonly stats: { mjmlCompiles: number };
}

export function createRenderer(templates: DigestTemplates): Renderer {
  const stats = { mjmlCompiles: 0 };
  return {
    stats,
    async renderSegment(input) {
      const markers = createSlotMarkers();
      const model = buildDigestModel({ ...input, markers });
      const source = templates.mjml(model);
      stats.mjmlCompiles++;
      let result: Awaited<ReturnType<typeof mjml2html>>;
      try {
        result = await mjml2html(source, {
          validationLevel: 'strict',
          keepComments: false,
          fonts: {},
          minify: true,
          // MJML 5's CSS minifier (cssnano) does not load on Node 20; HTML is still minified.
          minifyOptions: { minifyCss: false },
          filePath: templates.label('mjml'),
        });
      } catch (error) {
        throw new PaperboyError(
          'config',
          `${templates.label('mjml')}: invalid MJML: ${describeMjmlErrors((error as { errors?: MjmlProblem[] }).errors ?? [{ message: (error as Error).message }])}`,
          {
            hint: 'fix the template; MJML runs in strict mode',
          },
        );
      }
      if (result.errors.length > 0) {
        throw new PaperboyError(
          'config',
          `${templates.label('mjml')}: invalid MJML: ${describeMjmlErrors(result.errors)}`,
          { hint: 'fix the template; MJML runs in strict mode' },
        );
      }
      return {
        segmentId: input.segment.id,
        subject: model.subject,
        preheader: model.preheader,
        html: toSlotted(result.html, markers),
        text: toSlotted(templates.text(model), markers),
        paperIds: input.segment.papers.slice(0, model.papers.length).map((p) => p.paperId),
      };
    },
  };
}

/** One recipient's copy: string joins, no template engine. */
export function personalize(
  rendered: RenderedSegment,
  recipient: RecipientValues,
): PersonalizedEmail {
  const values: SlotValues = {
    greeting: recipient.name ? `Hi ${recipient.name}, ` : '',
    unsubscribeUrl: recipient.unsubscribeUrl,
    preferencesUrl: recipient.preferencesUrl,
  };
  return {
    subject: rendered.subject,
    html: fillSlots(rendered.html, values, escapeHtml),
    text: fillSlots(rendered.text, values),
  };
}
