// What a long-running sender (`serve`, `worker`) checks before it starts: what would fail every
// run or job fails now, with its message, rather than on the first message hours later.
import type { Config } from '../config.js';
import { loadDkimOptions } from '../delivery/dkim-options.js';
import { resolveKeyring } from '../delivery/link-keyring.js';
import { describeSmtpUrl } from '../delivery/smtp-transport.js';
import type { Logger } from '../log.js';
import type { Keyring } from '../tokens/link-token.js';
import { checkSendable } from './send.js';

/**
 * A bad SMTP_URL or DKIM key throws; so do, with SMTP, no postal address, the placeholder origin
 * or no PAPERBOY_SECRET. Warnings (outbox mode) are logged as `config.warning`.
 */
export async function preflightSender(
  config: Config,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<{ kind: 'smtp' | 'outbox'; keyring: Keyring }> {
  const kind = env.SMTP_URL ? 'smtp' : 'outbox';
  if (kind === 'smtp') describeSmtpUrl(env.SMTP_URL as string);
  loadDkimOptions(config);
  for (const line of checkSendable(config, config.baseUrl, kind)) {
    log.warn('config.warning', { message: line.replace(/^warning: /, '') });
  }
  const { keyring, warning } = await resolveKeyring(kind, config.dataDir, env);
  if (warning) log.warn('config.warning', { message: warning });
  return { kind, keyring };
}
