// The web pages: plain HTML with inline CSS, no scripts, no external assets. Every value that
// comes from a subscriber, a topic or a file is escaped here.
import { escapeHtml } from '../render/index.js';
import type { Subscriber, Topic } from '../types.js';
import { WEEKDAYS } from '../types.js';
import type { PreferenceErrors, PreferenceValues } from './preferences-form.js';

const e = escapeHtml;

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;--accent:#0969da;--accent-fg:#fff;--err:#b42318;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;--line:#3d444d;--accent:#4493f8;--accent-fg:#0d1117;--err:#ff7b72;--ok:#3fb950}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;-webkit-text-size-adjust:100%}
main{max-width:640px;margin:0 auto;padding:24px 16px 48px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:20px 16px;margin:0 0 16px}
.card>:last-child{margin-bottom:0}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 12px}
h2{font-size:1.1rem;margin:0 0 8px}
p{margin:0 0 12px}
a{color:var(--accent)}
.brand{font-weight:600;color:var(--muted);margin:0 0 16px;font-size:.95rem}
.muted{color:var(--muted);font-size:.9rem}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 16px;padding:12px 14px 14px;min-width:0}
legend{font-weight:600;padding:0 6px}
.choice{display:flex;gap:10px;align-items:flex-start;padding:8px 0;border-top:1px solid var(--line)}
.choice:first-of-type{border-top:0}
.choice input{margin:4px 0 0;width:20px;height:20px;flex:none;accent-color:var(--accent)}
.choice label{flex:1;min-width:0;cursor:pointer}
.choice .name{display:block;font-weight:600}
.choice .desc{display:block;color:var(--muted);font-size:.9rem;overflow-wrap:anywhere}
.field{margin:0 0 14px}
.field:last-child{margin-bottom:0}
.field>label{display:block;font-weight:600;margin:0 0 4px}
.hint{display:block;color:var(--muted);font-size:.9rem;margin:0 0 6px}
textarea,input[type=number],select{width:100%;font:inherit;color:inherit;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 10px}
textarea{min-height:4.5em;resize:vertical}
input[type=number]{max-width:10em}
select{max-width:16em}
.row{display:flex;flex-wrap:wrap;gap:4px 20px}
.row{margin:0 0 12px}
.row .choice{border-top:0;padding:4px 0}
.all{border-bottom:2px solid var(--line);margin-bottom:4px}
.all+.choice{border-top:0}
.error{color:var(--err);font-weight:600;margin:0 0 8px}
.has-error{border-color:var(--err)}
.summary{border:2px solid var(--err);border-radius:8px;padding:12px 14px;margin:0 0 16px}
.notice{border:2px solid var(--ok);border-radius:8px;padding:12px 14px;margin:0 0 16px}
button{font:inherit;font-weight:600;background:var(--accent);color:var(--accent-fg);border:0;border-radius:6px;padding:12px 20px;min-height:44px;cursor:pointer;width:100%}
button.secondary{background:transparent;color:var(--accent);border:1px solid var(--line)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
ul.list{padding-left:1.2em;margin:0}
ul.list li{margin:0 0 6px}
`;

export interface Site {
  /** The newsletter's name (the sender's name). */
  name: string;
}

export function layout(site: Site, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${e(title)} · ${e(site.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="brand">${e(site.name)}</p>
${body}
</main>
</body>
</html>
`;
}

/** The one answer for every token that does not open a subscriber: tampered, unknown, removed. */
export function linkNotFoundPage(site: Site): string {
  return layout(
    site,
    'Link not found',
    `<div class="card"><h1>This link does not work</h1>
<p>It may be incomplete: some mail programs break long links across lines. Open it again from the email, or copy the whole link into the address bar.</p>
<p class="muted">If you keep seeing this page, reply to any of our emails and we will help.</p></div>`,
  );
}

export function notFoundPage(site: Site): string {
  return layout(
    site,
    'Not found',
    `<div class="card"><h1>Not found</h1><p>There is nothing at this address.</p><p><a href="/issues/">Past issues</a></p></div>`,
  );
}

export function errorPage(site: Site): string {
  return layout(
    site,
    'Something went wrong',
    `<div class="card"><h1>Something went wrong</h1><p>Nothing was changed. Please try again in a minute.</p></div>`,
  );
}

export function tooManyRequestsPage(site: Site, retryAfterSeconds: number): string {
  return layout(
    site,
    'Too many requests',
    `<div class="card"><h1>Too many requests</h1><p>Please wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'} and try again.</p></div>`,
  );
}

/** The unsubscribe link's page: a GET changes nothing, the button POSTs. */
export function unsubscribeConfirmPage(
  site: Site,
  subscriber: Subscriber,
  action: string,
  preferencesHref: string,
): string {
  const already = subscriber.status !== 'active';
  const body = already
    ? `<div class="card"><h1>You are not receiving these emails</h1>
<p><strong>${e(subscriber.email)}</strong> gets no more emails from ${e(site.name)}.</p>
<p><a href="${e(preferencesHref)}">Change your settings</a></p></div>`
    : `<div class="card"><h1>Unsubscribe?</h1>
<p>Stop all emails from ${e(site.name)} to <strong>${e(subscriber.email)}</strong>.</p>
<form method="post" action="${e(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form></div>
<div class="card"><h2>Too many emails?</h2>
<p>You can choose fewer topics, cap the number of papers, or get one email a week instead.</p>
<p><a href="${e(preferencesHref)}">Change your settings</a></p></div>`;
  return layout(site, already ? 'Unsubscribed' : 'Unsubscribe', body);
}

export function unsubscribedPage(site: Site, preferencesHref: string | null): string {
  return layout(
    site,
    'Unsubscribed',
    `<div class="card" role="status"><h1>You are unsubscribed</h1>
<p>You will get no more emails from ${e(site.name)}.</p>
${preferencesHref ? `<p class="muted">Changed your mind? <a href="${e(preferencesHref)}">Choose your topics and subscribe again</a>.</p>` : ''}</div>`,
  );
}

export interface PreferencesPageInput {
  site: Site;
  subscriber: Subscriber;
  topics: readonly Topic[];
  values: PreferenceValues;
  errors: PreferenceErrors;
  action: string;
  /** The configured cap when a subscriber sets none. */
  defaultMaxPapers: number;
  /** Shown above the form after a save. */
  notice: string | null;
}

function errorLine(id: string, message: string | undefined): string {
  return message ? `<p class="error" id="${id}-error">${e(message)}</p>` : '';
}

function describedBy(id: string, message: string | undefined, hint?: string): string {
  const ids = [hint, message ? `${id}-error` : undefined].filter(Boolean);
  return ids.length > 0 ? ` aria-describedby="${ids.join(' ')}"` : '';
}

const FIELD_ORDER: [keyof PreferenceErrors, string][] = [
  ['topics', 'topics-all'],
  ['include', 'include'],
  ['exclude', 'exclude'],
  ['frequency', 'frequency-daily'],
  ['maxPapers', 'maxPapers'],
];

export function preferencesPage(input: PreferencesPageInput): string {
  const { subscriber, values, errors } = input;
  const errorList = FIELD_ORDER.filter(([field]) => errors[field]).map(
    ([field, target]) => `<li><a href="#${target}">${e(errors[field] as string)}</a></li>`,
  );
  const summary =
    errorList.length > 0
      ? `<div class="summary" role="alert"><h2>Please check ${errorList.length === 1 ? 'one thing' : `${errorList.length} things`}</h2><ul class="list">${errorList.join('')}</ul></div>`
      : '';
  const notice = input.notice
    ? `<div class="notice" role="status"><strong>${e(input.notice)}</strong></div>`
    : '';
  const statusNote =
    subscriber.status === 'unsubscribed'
      ? '<p class="muted">You are unsubscribed. Untick “Unsubscribe from everything” and save to get emails again.</p>'
      : subscriber.status === 'bounced'
        ? '<p class="muted">Emails to this address could not be delivered, so we stopped sending them.</p>'
        : '';

  const topicChoices = input.topics
    .map((topic) => {
      const id = `topic-${topic.id}`;
      const checked = values.topics.includes(topic.id) ? ' checked' : '';
      return `<div class="choice"><input type="checkbox" name="topics" value="${e(topic.id)}" id="${e(id)}"${checked}><label for="${e(id)}"><span class="name">${e(topic.name)}</span><span class="desc">${e(topic.description)}</span></label></div>`;
    })
    .join('\n');

  const weekdays = WEEKDAYS.map(
    (day) =>
      `<option value="${day}"${values.weekday === day ? ' selected' : ''}>${day[0]?.toUpperCase()}${day.slice(1)}</option>`,
  ).join('');

  const body = `<h1>Your email settings</h1>
<p class="muted">For <strong>${e(subscriber.email)}</strong>. Nobody else can open this page without your link.</p>
${notice}${summary}${statusNote}
<form method="post" action="${e(input.action)}" novalidate>
<fieldset${errors.topics ? ' class="has-error"' : ''}${describedBy('topics', errors.topics)}>
<legend>Topics</legend>
${errorLine('topics', errors.topics)}
<div class="choice all"><input type="checkbox" name="allTopics" value="1" id="topics-all"${values.allTopics ? ' checked' : ''}><label for="topics-all"><span class="name">Every topic</span><span class="desc">The day’s top papers, whatever they are about (the topics below are then ignored).</span></label></div>
${topicChoices}
</fieldset>
<fieldset>
<legend>Keywords</legend>
<div class="field">
<label for="include">Always include papers about</label>
<span class="hint" id="include-hint">Phrases, one per line or separated by commas. A paper matching one is sent even outside your topics.</span>
${errorLine('include', errors.include)}
<textarea name="include" id="include" rows="3"${describedBy('include', errors.include, 'include-hint')}${errors.include ? ' class="has-error" aria-invalid="true"' : ''}>${e(values.include)}</textarea>
</div>
<div class="field">
<label for="exclude">Never send papers about</label>
<span class="hint" id="exclude-hint">A paper matching one of these is never sent.</span>
${errorLine('exclude', errors.exclude)}
<textarea name="exclude" id="exclude" rows="3"${describedBy('exclude', errors.exclude, 'exclude-hint')}${errors.exclude ? ' class="has-error" aria-invalid="true"' : ''}>${e(values.exclude)}</textarea>
</div>
</fieldset>
<fieldset${errors.frequency ? ' class="has-error"' : ''}${describedBy('frequency', errors.frequency)}>
<legend>How often</legend>
${errorLine('frequency', errors.frequency)}
<div class="row">
<div class="choice"><input type="radio" name="frequency" value="daily" id="frequency-daily"${values.frequency === 'daily' ? ' checked' : ''}><label for="frequency-daily">Every day</label></div>
<div class="choice"><input type="radio" name="frequency" value="weekly" id="frequency-weekly"${values.frequency === 'weekly' ? ' checked' : ''}><label for="frequency-weekly">Once a week</label></div>
</div>
<div class="field">
<label for="weekday">Day of the weekly email</label>
<span class="hint" id="weekday-hint">Only used with “Once a week”: that day’s email gathers the past seven days.</span>
<select name="weekday" id="weekday" aria-describedby="weekday-hint"><option value="">Choose a day</option>${weekdays}</select>
</div>
</fieldset>
<fieldset>
<legend>Papers per email</legend>
<div class="field">
<label for="maxPapers">At most</label>
<span class="hint" id="maxPapers-hint">Leave empty for the usual ${input.defaultMaxPapers}.</span>
${errorLine('maxPapers', errors.maxPapers)}
<input type="number" name="maxPapers" id="maxPapers" min="1" max="100" step="1" inputmode="numeric" value="${e(values.maxPapers)}"${describedBy('maxPapers', errors.maxPapers, 'maxPapers-hint')}${errors.maxPapers ? ' class="has-error" aria-invalid="true"' : ''}>
</div>
</fieldset>
<fieldset>
<legend>Unsubscribe</legend>
<div class="choice"><input type="checkbox" name="unsubscribeAll" value="1" id="unsubscribeAll"${values.unsubscribeAll ? ' checked' : ''}><label for="unsubscribeAll"><span class="name">Unsubscribe from everything</span><span class="desc">No more emails at all. Your settings are kept in case you come back.</span></label></div>
</fieldset>
<button type="submit">Save settings</button>
</form>`;
  return layout(input.site, 'Your email settings', body);
}

export interface ArchiveListItem {
  href: string;
  label: string;
  detail?: string;
}

export function archiveListPage(
  site: Site,
  title: string,
  intro: string,
  items: ArchiveListItem[],
  back: string | null,
): string {
  const list =
    items.length === 0
      ? '<p>Nothing here yet.</p>'
      : `<ul class="list">${items
          .map(
            (item) =>
              `<li><a href="${e(item.href)}">${e(item.label)}</a>${item.detail ? ` <span class="muted">${e(item.detail)}</span>` : ''}</li>`,
          )
          .join('')}</ul>`;
  return layout(
    site,
    title,
    `<div class="card"><h1>${e(title)}</h1><p class="muted">${e(intro)}</p>${list}${back ? `<p style="margin-top:16px"><a href="${e(back)}">All issues</a></p>` : ''}</div>`,
  );
}
