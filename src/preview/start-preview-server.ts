// Runs the preview app on a local port, watching the templates folder so open pages reload.
// Closing ends the event streams first, so the HTTP server can close at once.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { listen, urlHost } from '../web/listen.js';
import { allowedHostsFor, createPreviewApp, type PreviewAppOptions } from './preview-app.js';
import { createReloadHub } from './reload-hub.js';
import { watchTemplates } from './watch-templates.js';

export interface PreviewServerOptions
  extends Omit<PreviewAppOptions, 'reloads' | 'watchedDir' | 'allowedHosts'> {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** The folder to watch: the templates in effect. */
  templatesDir: string;
  /** Called after each template change, once the pages were told (for logs and tests). */
  onReload?: (file: string) => void;
}

export interface PreviewServer {
  /** `http://127.0.0.1:4000/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const reloads = createReloadHub();
  const app = createPreviewApp({
    ...options,
    reloads,
    watchedDir: options.templatesDir,
    allowedHosts: allowedHostsFor(options.host),
  });
  // overrideGlobalObjects: false leaves the process's fetch, Request and Response alone.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await listen(server, options.host, options.port);
  const watcher = watchTemplates(options.templatesDir, (file) => {
    reloads.notify(file);
    options.onReload?.(file);
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(options.host)}:${port}/`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        watcher.close();
        server.close(() => resolve());
        // Ending the event streams leaves their connections idle; idle keep-alive connections
        // (a browser's) would hold close() for seconds, and a render in flight gets a second.
        reloads.close();
        setImmediate(() => server.closeIdleConnections());
        setTimeout(() => server.closeIdleConnections(), 100).unref();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}
