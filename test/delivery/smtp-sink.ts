// A real SMTP server (smtp-server) on a spare loopback port for the delivery tests, with hooks to
// refuse, delay or cut off messages the way real servers do. A message counts as received when
// the server answers 250 to its data: before that, a real server has not taken it.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  /** The envelope's recipient. */
  to: string;
  from: string;
  raw: Buffer;
  /** The Message-ID header, with brackets. */
  messageId: string;
}

export interface SinkError {
  code: number;
  message: string;
}

export interface SinkHooks {
  /** A reply to refuse RCPT TO for this recipient (its nth attempt, 1-based), or null to accept. */
  rcpt?(address: string, attempt: number): SinkError | null;
  /** What to do with a message's data: accept (default), refuse, or drop the connection. */
  data?(to: string, attempt: number): SinkError | 'drop' | null;
  /** Wait this long before answering the data (a slow server). */
  delayMs?: number;
  /** Refuse every login (the server then requires one). */
  rejectAuth?: boolean;
  /** Called after each message was taken (250 sent). */
  onReceived?(message: ReceivedMessage, count: number): void;
}

export interface SmtpSink {
  url: string;
  port: number;
  received: ReceivedMessage[];
  /** RCPT TO commands per recipient, accepted or not. */
  rcptAttempts: Map<string, number>;
  hooks: SinkHooks;
  close(): Promise<void>;
}

function smtpError({ code, message }: SinkError): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function messageIdOf(raw: Buffer): string {
  const head = raw.toString('utf8').split('\r\n\r\n')[0] ?? '';
  return /^Message-ID:\s*(<[^>]+>)/im.exec(head.replace(/\r\n[ \t]+/g, ' '))?.[1] ?? '';
}

export async function startSmtpSink(hooks: SinkHooks = {}): Promise<SmtpSink> {
  const received: ReceivedMessage[] = [];
  const rcptAttempts = new Map<string, number>();
  const dataAttempts = new Map<string, number>();
  const server: SMTPServer = new SMTPServer({
    // No STARTTLS offered: nodemailer would otherwise try to upgrade to the self-signed cert.
    hideSTARTTLS: true,
    authOptional: !hooks.rejectAuth,
    disableReverseLookup: true,
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      const attempt = (rcptAttempts.get(to) ?? 0) + 1;
      rcptAttempts.set(to, attempt);
      const refusal = hooks.rcpt?.(to, attempt) ?? null;
      callback(refusal ? smtpError(refusal) : undefined);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = (session.envelope.rcptTo[0]?.address ?? '').toLowerCase();
        const attempt = (dataAttempts.get(to) ?? 0) + 1;
        dataAttempts.set(to, attempt);
        const outcome = hooks.data?.(to, attempt) ?? null;
        if (outcome === 'drop') {
          // Cut the connection without a reply, as a crashing or overloaded server does.
          for (const connection of (server as unknown as { connections: Set<unknown> })
            .connections) {
            const c = connection as { id: string; _socket: { destroy(): void } };
            if (c.id === session.id) c._socket.destroy();
          }
          return;
        }
        if (outcome) {
          callback(smtpError(outcome));
          return;
        }
        const take = () => {
          const raw = Buffer.concat(chunks);
          const message: ReceivedMessage = {
            to,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            raw,
            messageId: messageIdOf(raw),
          };
          received.push(message);
          callback();
          hooks.onReceived?.(message, received.length);
        };
        if (hooks.delayMs) setTimeout(take, hooks.delayMs);
        else take();
      });
    },
  });
  // A client killed mid-dialogue (the crash tests' SIGKILL) resets its connection, which
  // smtp-server reports as an 'error' event: without a listener that is an uncaught exception in
  // the test run. The connection is gone either way, and what arrived is already counted.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    rcptAttempts,
    hooks,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
