// The preview page: plain HTML, a little inline CSS and JS, no build step. Pure: a view model
// in, a string out. Every value from the issue, the subscriber list or an error is escaped.
import { escapeHtml as esc } from '../render/index.js';
import type { PreviewRecipient, PreviewTarget } from './preview-targets.js';
import type { PreviewEmail } from './render-preview.js';

/** Gmail clips a message above ~102 KB and hides the rest, the unsubscribe link included. */
const CLIP_BYTES = 102 * 1024;

export interface PreviewPageView {
  /** "Friday, October 31, 2025" */
  longDate: string;
  sourceLabel: string;
  issueTargets: PreviewTarget[];
  planTargets: PreviewTarget[];
  /** The subscriber file the plan came from; null when none was given. */
  planLabel: string | null;
  skipped: { email: string; reason: string; detail: string }[];
  selected: PreviewTarget;
  recipient: PreviewRecipient;
  /** The rendered email, or what stopped it. */
  result: { email: PreviewEmail } | { error: PreviewError };
  /** Configuration problems that show in the email (no postal address, placeholder base URL). */
  warnings: string[];
}

export interface PreviewError {
  title: string;
  /** The template (or other file) at fault, when known. */
  file: string | null;
  message: string;
  hint: string | null;
}

/** The file a template error names: messages start with `<path>: `. */
export function describeError(error: unknown): PreviewError {
  const message = error instanceof Error ? error.message : String(error);
  const hint = (error as { hint?: unknown })?.hint;
  const file = /^(\S+\.(?:mjml|txt|hbs|html|json)):/.exec(message)?.[1] ?? null;
  const expected = (error as { name?: string })?.name === 'PaperboyError';
  // A one-line message may have left the details (a parser's excerpt and "Expecting ...") in
  // its cause.
  const cause = (error as { cause?: unknown })?.cause;
  const details =
    cause instanceof Error && cause.message.includes('\n') ? `\n\n${cause.message}` : '';
  return {
    title: expected ? 'The email could not be rendered' : 'Unexpected error (a bug in paperboy)',
    file,
    message: expected ? message + details : ((error as Error)?.stack ?? message),
    hint: typeof hint === 'string' ? hint : null,
  };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function targetHref(target: PreviewTarget, recipient?: PreviewRecipient): string {
  const base = `/s/${encodeURIComponent(target.key)}`;
  const first = target.recipients[0];
  return recipient && first && recipient.subscriberId !== first.subscriberId
    ? `${base}?to=${encodeURIComponent(recipient.subscriberId)}`
    : base;
}

function emailHref(view: PreviewPageView, ext: 'html' | 'txt' | 'eml'): string {
  const page = targetHref(view.selected, view.recipient);
  const [path, query] = page.split('?');
  return `${path}/email.${ext}${query ? `?${query}` : ''}`;
}

function navItem(target: PreviewTarget, selected: PreviewTarget, detail: string): string {
  const current = target.key === selected.key ? ' aria-current="page"' : '';
  return `<li><a href="${esc(targetHref(target))}"${current}><span class="label">${esc(target.label)}</span><span class="detail">${esc(detail)}</span></a></li>`;
}

function renderNav(view: PreviewPageView): string {
  const issue = view.issueTargets
    .map((target) => navItem(target, view.selected, plural(target.segment.papers.length, 'paper')))
    .join('');
  let plan = '';
  if (view.planLabel !== null) {
    const items = view.planTargets
      .map((target) =>
        navItem(
          target,
          view.selected,
          `${plural(target.segment.papers.length, 'paper')} · ${plural(target.recipients.length, 'reader')}`,
        ),
      )
      .join('');
    const skipped =
      view.skipped.length === 0
        ? ''
        : `<details class="skipped"><summary>${plural(view.skipped.length, 'subscriber')} skipped</summary><ul>${view.skipped
            .map(
              (entry) =>
                `<li><span class="label">${esc(entry.email)}</span><span class="detail">${esc(entry.detail)}</span></li>`,
            )
            .join('')}</ul></details>`;
    plan = `<h2 id="nav-plan">Plan <span class="file">${esc(view.planLabel)}</span></h2>${
      items
        ? `<ul aria-labelledby="nav-plan">${items}</ul>`
        : '<p class="detail">Nobody gets an email for this issue.</p>'
    }${skipped}`;
  }
  return `<nav aria-label="Emails">
<h2 id="nav-issue">Issue previews</h2>
<ul aria-labelledby="nav-issue">${issue}</ul>
${plan}
</nav>`;
}

function renderRecipients(view: PreviewPageView): string {
  const { selected } = view;
  if (selected.kind !== 'segment') {
    return `<p class="meta">To a new subscriber (<code>${esc(view.recipient.email)}</code>): ${
      selected.kind === 'all' ? 'every topic' : esc(selected.label)
    }, daily, nothing sent before.</p>`;
  }
  const shown = selected.recipients.slice(0, 30);
  const links = shown
    .map((r) => {
      const current = r.subscriberId === view.recipient.subscriberId ? ' aria-current="true"' : '';
      const name = r.name ? `${esc(r.name)} ` : '';
      return `<li><a href="${esc(targetHref(selected, r))}"${current}>${name}&lt;${esc(r.email)}&gt;</a></li>`;
    })
    .join('');
  const more =
    selected.recipients.length > shown.length
      ? `<li>and ${selected.recipients.length - shown.length} more</li>`
      : '';
  return `<div class="meta"><span id="readers">Personalized for</span> <ul class="readers" aria-labelledby="readers">${links}${more}</ul></div>`;
}

const CONTROLS = `<div class="controls">
<fieldset><legend>Width</legend>
<label><input type="radio" name="width" value="phone"> Phone <small>375 px</small></label>
<label><input type="radio" name="width" value="desktop" checked> Desktop <small>680 px</small></label>
</fieldset>
<fieldset><legend>Colour scheme</legend>
<label><input type="radio" name="scheme" value="light" checked> Light</label>
<label><input type="radio" name="scheme" value="dark"> Dark</label>
</fieldset>
</div>`;

function renderEmail(view: PreviewPageView, email: PreviewEmail): string {
  const bytes = Buffer.byteLength(email.html);
  const size =
    bytes > CLIP_BYTES
      ? `<strong class="warn">HTML ${kb(bytes)}: over Gmail's ~102 KB limit, the end (and the unsubscribe link) will be clipped</strong>`
      : `HTML ${kb(bytes)}`;
  return `<p class="eyebrow">Subject</p>
<h1 id="subject">${esc(email.subject)}</h1>
<p class="preheader"><span class="eyebrow">Preheader</span> ${esc(email.preheader)}</p>
${renderRecipients(view)}
${CONTROLS}
<p class="links">${size} · text ${kb(Buffer.byteLength(email.text))} · <a href="${esc(emailHref(view, 'html'))}" target="_blank">open the HTML</a> · <a href="${esc(emailHref(view, 'txt'))}" target="_blank">text part</a> · <a href="${esc(emailHref(view, 'eml'))}" download>download .eml</a></p>
<div class="stage"><iframe id="email" title="The email: ${esc(email.subject)}" src="${esc(emailHref(view, 'html'))}"></iframe></div>
<details open><summary><h2>Headers</h2></summary><pre class="source">${esc(email.headers)}</pre></details>
<details open><summary><h2>Text part</h2></summary><pre class="source text">${esc(email.text)}</pre></details>`;
}

export function renderErrorPanel(error: PreviewError): string {
  return `<div class="error" role="alert">
<h1>${esc(error.title)}</h1>
${error.file ? `<p>In <code>${esc(error.file)}</code></p>` : ''}
<pre>${esc(error.message)}</pre>
${error.hint ? `<p>Hint: ${esc(error.hint)}</p>` : ''}
<p class="detail">Fix the file and save: this page reloads by itself.</p>
</div>`;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #f6f8fa; --panel: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da; --accent-bg: #ddf4ff; --warn-bg: #fff8c5; --warn-line: #d4a72c; --err-bg: #ffebe9; --err-line: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --panel: #151b23; --fg: #f0f6fc; --muted: #9198a1; --line: #3d444d; --accent: #4493f8; --accent-bg: #112d50; --warn-bg: #2e2a14; --warn-line: #9e6a03; --err-bg: #3a1519; --err-line: #f85149; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
header { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; padding: 10px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header .brand { font-weight: 700; }
header .status { margin-left: auto; color: var(--muted); font-size: 13px; }
.layout { display: grid; grid-template-columns: minmax(220px, 290px) minmax(0, 1fr); min-height: calc(100vh - 46px); }
nav { border-right: 1px solid var(--line); padding: 12px 10px 24px; background: var(--panel); }
nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 14px 8px 6px; }
nav h2 .file { margin-left: 4px; text-transform: none; letter-spacing: 0; font-weight: 400; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav a, .skipped li { display: block; padding: 6px 8px; border-radius: 6px; text-decoration: none; color: var(--fg); }
nav a:hover { background: var(--bg); }
nav a[aria-current="page"] { background: var(--accent-bg); box-shadow: inset 3px 0 0 var(--accent); }
.label { display: block; font-weight: 500; overflow-wrap: anywhere; }
.detail { display: block; color: var(--muted); font-size: 13px; }
.skipped summary { cursor: pointer; margin: 12px 8px 4px; color: var(--muted); font-size: 13px; }
main { padding: 16px 24px 40px; min-width: 0; }
h1 { font-size: 20px; line-height: 1.3; margin: 0 0 4px; }
.eyebrow { margin: 0; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.preheader { margin: 0 0 6px; }
.preheader .eyebrow { margin-right: 6px; }
.meta { color: var(--muted); margin: 0 0 12px; }
.readers { display: inline; margin: 0; padding: 0; list-style: none; }
.readers li { display: inline; }
.readers li + li::before { content: " · "; }
.readers a[aria-current="true"] { font-weight: 700; color: var(--fg); }
.controls { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 8px; }
fieldset { display: inline-flex; gap: 0; margin: 0; padding: 0; border: 0; }
legend { float: left; margin-right: 8px; padding: 6px 0; color: var(--muted); font-size: 13px; }
fieldset label { position: relative; padding: 5px 12px; border: 1px solid var(--line); background: var(--panel); cursor: pointer; }
fieldset label:first-of-type { border-radius: 6px 0 0 6px; }
fieldset label:last-of-type { border-radius: 0 6px 6px 0; border-left: 0; }
fieldset input { position: absolute; opacity: 0; inset: 0; margin: 0; cursor: pointer; }
fieldset label:has(input:checked) { background: var(--accent-bg); border-color: var(--accent); font-weight: 600; }
fieldset label:has(input:focus-visible) { outline: 2px solid var(--accent); outline-offset: 2px; }
fieldset small { color: var(--muted); font-weight: 400; }
.links { font-size: 13px; color: var(--muted); margin: 0 0 12px; }
.warn { color: var(--err-line); }
.stage { padding: 16px; border: 1px solid var(--line); border-radius: 8px; background: repeating-conic-gradient(var(--bg) 0 25%, var(--panel) 0 50%) 0 0 / 16px 16px; overflow-x: auto; }
#email { box-sizing: content-box; display: block; margin: 0 auto; width: 680px; max-width: none; height: 70vh; border: 1px solid var(--line); border-radius: 4px; background: transparent; color-scheme: light; }
main:has(input[name="width"][value="phone"]:checked) #email { width: 375px; }
main:has(input[name="scheme"][value="dark"]:checked) #email { color-scheme: dark; }
details { margin-top: 20px; }
summary { cursor: pointer; }
summary h2 { display: inline; font-size: 16px; }
pre.source { margin: 8px 0 0; padding: 12px; max-height: 60vh; overflow: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.notice { margin: 0 0 12px; padding: 8px 12px; border: 1px solid var(--warn-line); border-radius: 6px; background: var(--warn-bg); }
.notice ul { margin: 0; padding-left: 18px; }
.error { padding: 12px 16px; border: 1px solid var(--err-line); border-radius: 8px; background: var(--err-bg); }
.error pre { white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media (max-width: 760px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  nav { min-width: 0; border-right: 0; border-bottom: 1px solid var(--line); padding: 4px 12px 12px; }
  nav ul { display: flex; gap: 6px; overflow-x: auto; padding-bottom: 4px; }
  nav a { border: 1px solid var(--line); padding: 3px 10px; white-space: nowrap; }
  nav a .detail { display: none; }
  main { padding: 12px; }
  .stage { padding: 8px; }
}
`;

// Live reload (server-sent events), the toggles remembered across reloads and pages, and the
// email frame sized to its content so the page, not the frame, scrolls.
const SCRIPT = `
(() => {
  const status = document.getElementById('live');
  const frame = document.getElementById('email');
  const params = new URLSearchParams(location.search);
  for (const name of ['width', 'scheme']) {
    const value = params.get(name) || localStorage.getItem('paperboy-preview-' + name);
    const input = value && document.querySelector('input[name="' + name + '"][value="' + CSS.escape(value) + '"]');
    if (input) input.checked = true;
  }
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'radio') return;
    localStorage.setItem('paperboy-preview-' + input.name, input.value);
    fit();
  });
  function fit() {
    const body = frame && frame.contentDocument && frame.contentDocument.body;
    if (!body) return;
    frame.style.height = Math.max(200, Math.ceil(body.getBoundingClientRect().height)) + 'px';
  }
  if (frame) {
    frame.addEventListener('load', () => {
      fit();
      const win = frame.contentWindow;
      if (win && win.ResizeObserver) new win.ResizeObserver(fit).observe(frame.contentDocument.body);
    });
  }
  // On a narrow screen each list is one scrolling row: bring the current email into view.
  const current = document.querySelector('nav a[aria-current="page"]');
  const row = current && current.closest('ul');
  if (row && row.scrollWidth > row.clientWidth) {
    row.scrollLeft += current.getBoundingClientRect().left - row.getBoundingClientRect().left - 12;
  }
  let connected = false;
  const events = new EventSource('/events');
  events.addEventListener('ready', () => {
    // A server that came back (restarted) may serve different templates: reload.
    if (connected === null) location.reload();
    connected = true;
    status.textContent = 'Live: reloads when a template changes';
  });
  events.addEventListener('reload', (event) => {
    status.textContent = 'Changed: ' + event.data + '; reloading…';
    location.reload();
  });
  events.addEventListener('error', () => {
    if (connected) connected = null;
    status.textContent = 'Disconnected from the preview server; retrying…';
  });
})();
`;

function layout(title: string, header: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${header}
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function renderHeader(view: { longDate: string; sourceLabel: string }): string {
  return `<header><span class="brand">paperboy preview</span><span>${esc(view.longDate)}</span><span class="detail">${esc(view.sourceLabel)}</span><span class="status" id="live" role="status" aria-live="polite">Connecting…</span></header>`;
}

export function renderPreviewPage(view: PreviewPageView): string {
  const warnings =
    view.warnings.length === 0
      ? ''
      : `<div class="notice"><ul>${view.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`;
  const content =
    'email' in view.result
      ? renderEmail(view, view.result.email)
      : renderErrorPanel(view.result.error);
  const title =
    'email' in view.result
      ? `${view.selected.label} · paperboy preview`
      : 'Error · paperboy preview';
  return layout(
    title,
    renderHeader(view),
    `<div class="layout">${renderNav(view)}<main>${warnings}${content}</main></div>`,
  );
}

/** A standalone page (the email frame's content when rendering failed, or a 404). */
export function renderMessagePage(
  view: { longDate: string; sourceLabel: string },
  title: string,
  body: string,
): string {
  return layout(`${title} · paperboy preview`, renderHeader(view), `<main>${body}</main>`);
}
