// Listening on a host and port with errors a person can act on; shared by serve and preview.
import type { Server } from 'node:http';
import { PaperboyError } from '../errors.js';

/** The host as it goes in a URL: brackets for IPv6, localhost for the wildcard addresses. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts listening; a taken port, a denied one or a foreign address is a usage error (exit 2). */
export async function listen(server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const taken = error.code === 'EADDRINUSE';
      const denied = error.code === 'EACCES';
      reject(
        taken || denied || error.code === 'EADDRNOTAVAIL'
          ? new PaperboyError(
              'usage',
              `cannot listen on ${host}:${port}: ${taken ? 'the port is in use' : denied ? 'permission denied' : 'no such address here'}`,
              { hint: 'pick another with --port (0 picks a free one) or --host', cause: error },
            )
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
}
