// The preview server's routes. Every email request renders afresh (templates read from disk), so
// an edit shows on the next load; a template error is a page naming the template, not a crash.
//
//   GET /                      the page, showing the all-topics digest
//   GET /s/:key                the page, showing one email (?to=<subscriber id> picks the reader)
//   GET /s/:key/email.html     the email's HTML part (the page's frame)
//   GET /s/:key/email.txt      its text part
//   GET /s/:key/email.eml      the complete message, as a download
//   GET /segments.json         what the page lists, for scripts
//   GET /events                server-sent events: `ready` on connect, `reload` on a template change
import { format } from 'date-fns/format';
import { parseISO } from 'date-fns/parseISO';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { SkippedSubscriber } from '../plan/types.js';
import {
  describeError,
  renderErrorPanel,
  renderMessagePage,
  renderPreviewPage,
  targetHref,
} from './preview-page.js';
import type { PreviewRecipient, PreviewTarget } from './preview-targets.js';
import type { ReloadHub } from './reload-hub.js';
import { type PreviewEmail, type PreviewSource, renderPreview } from './render-preview.js';

export interface PreviewAppOptions {
  source: PreviewSource;
  /** How the source is named on the page. */
  sourceLabel: string;
  /** All topics, then one per topic with papers. The first is the page's default. */
  issueTargets: PreviewTarget[];
  /** The real plan's segments, when a subscriber file was given. */
  plan: { label: string; targets: PreviewTarget[]; skipped: SkippedSubscriber[] } | null;
  /** Shown above every email: what the configuration still lacks. */
  warnings: string[];
  reloads: ReloadHub;
  /** Named in the `ready` event. */
  watchedDir: string;
  /**
   * Host names the server answers to (the Host header, without the port); null for any. On
   * loopback this stops DNS rebinding: a web page in the same browser cannot read the previews
   * (subscribers' names and addresses) through a name of its own that points at 127.0.0.1.
   */
  allowedHosts?: readonly string[] | null;
}

/** The host names a server bound to `host` should answer to. */
export function allowedHostsFor(host: string): string[] | null {
  if (host === '0.0.0.0' || host === '::') return null;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return [...new Set(['localhost', '127.0.0.1', '[::1]', bracketed.toLowerCase()])];
}

export function createPreviewApp(options: PreviewAppOptions): Hono {
  const { source, reloads } = options;
  const targets = [...options.issueTargets, ...(options.plan?.targets ?? [])];
  const byKey = new Map(targets.map((target) => [target.key, target]));
  const header = {
    longDate: format(parseISO(source.date), 'EEEE, MMMM d, yyyy'),
    sourceLabel: options.sourceLabel,
  };

  function pick(key: string | undefined, to: string | undefined) {
    const target = key === undefined ? targets[0] : byKey.get(key);
    if (!target) return null;
    const recipient: PreviewRecipient | undefined =
      target.recipients.find((r) => r.subscriberId === to) ?? target.recipients[0];
    return recipient ? { target, recipient } : null;
  }

  async function render(
    target: PreviewTarget,
    recipient: PreviewRecipient,
  ): Promise<{ email: PreviewEmail } | { error: ReturnType<typeof describeError> }> {
    try {
      return { email: await renderPreview(source, target, recipient) };
    } catch (error) {
      return { error: describeError(error) };
    }
  }

  const notFound = (what: string) =>
    renderMessagePage(
      header,
      'Not found',
      `<h1>Not found</h1><p>${what}</p><p><a href="/">Back to the preview</a></p>`,
    );

  const app = new Hono();

  const allowed = options.allowedHosts ?? null;
  app.use(async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
    if (allowed && !allowed.includes(host)) {
      return c.text(`This preview server answers to ${allowed.join(', ')}, not ${host}.\n`, 403);
    }
    await next();
  });

  // The page and its emails are rebuilt on every request: no browser cache in the way.
  app.use(async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  const page = async (key: string | undefined, to: string | undefined) => {
    const picked = pick(key, to);
    if (!picked) return { status: 404 as const, body: notFound('No such email in this preview.') };
    const result = await render(picked.target, picked.recipient);
    const body = renderPreviewPage({
      ...header,
      issueTargets: options.issueTargets,
      planTargets: options.plan?.targets ?? [],
      planLabel: options.plan?.label ?? null,
      skipped: options.plan?.skipped ?? [],
      selected: picked.target,
      recipient: picked.recipient,
      result,
      warnings: options.warnings,
    });
    return { status: 'error' in result ? (500 as const) : (200 as const), body };
  };

  app.get('/', async (c) => {
    const { status, body } = await page(undefined, undefined);
    return c.html(body, status);
  });

  app.get('/s/:key', async (c) => {
    const { status, body } = await page(c.req.param('key'), c.req.query('to'));
    return c.html(body, status);
  });

  for (const ext of ['html', 'txt', 'eml'] as const) {
    app.get(`/s/:key/email.${ext}`, async (c) => {
      const picked = pick(c.req.param('key'), c.req.query('to'));
      if (!picked) return c.html(notFound('No such email in this preview.'), 404);
      const result = await render(picked.target, picked.recipient);
      if ('error' in result) {
        return c.html(renderMessagePage(header, 'Error', renderErrorPanel(result.error)), 500);
      }
      const { email } = result;
      if (ext === 'html') return c.html(email.html);
      if (ext === 'txt') return c.text(email.text);
      c.header('Content-Type', 'message/rfc822');
      c.header(
        'Content-Disposition',
        `attachment; filename="${source.date}-${picked.target.segment.id}.eml"`,
      );
      return c.body(new Uint8Array(email.eml));
    });
  }

  app.get('/segments.json', (c) =>
    c.json({
      date: source.date,
      segments: targets.map((target) => ({
        key: target.key,
        kind: target.kind,
        label: target.label,
        segmentId: target.segment.id,
        papers: target.segment.papers.length,
        recipients: target.recipients.map((r) => r.email),
        href: targetHref(target),
      })),
      skipped: options.plan?.skipped ?? [],
    }),
  );

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      await stream.writeSSE({ event: 'ready', data: options.watchedDir });
      // The stream stays open until the page goes away or the server shuts down.
      await new Promise<void>((done) => {
        const unsubscribe = reloads.subscribe((file) => {
          void stream.writeSSE({ event: 'reload', data: file || 'templates' });
        });
        const end = () => {
          unsubscribe();
          stopOnClose();
          done();
        };
        const stopOnClose = reloads.onClose(end);
        stream.onAbort(end);
      });
    }),
  );

  app.notFound((c) => c.html(notFound(`Nothing at ${c.req.path}.`), 404));
  app.onError((error, c) => {
    const described = describeError(error);
    return c.html(renderMessagePage(header, 'Error', renderErrorPanel(described)), 500);
  });
  return app;
}
