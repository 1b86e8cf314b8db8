// The render step's public surface: templates (MJML once per renderer), render once per segment,
// personalize per recipient.

export type { DigestInput, DigestModel, PaperView } from './digest-model.js';
export { buildDigestModel, EMAIL_PAPER_LIMIT, MISSING_POSTAL_ADDRESS } from './digest-model.js';
export {
  createRenderer,
  escapeHtml,
  type PersonalizedEmail,
  personalize,
  type RecipientValues,
  type RenderedSegment,
  type Renderer,
  slotValuesFor,
} from './render-segment.js';
export {
  BUNDLED_TEMPLATES_DIR,
  compileSubject,
  type DigestTemplates,
  loadTemplates,
} from './templates.js';
