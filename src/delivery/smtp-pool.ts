// A pool of SMTP connections for finished messages. Each connection is nodemailer's SMTPConnection
// (the documented low-level client: greeting, STARTTLS, AUTH, MAIL/RCPT/DATA, dot-stuffing);
// this file only keeps up to `maxConnections` of them open, hands each message to an idle one,
// replaces a connection after `maxMessages` or an error, and holds the sending rate.
//
// Why not nodemailer's own pool (createTransport({ pool: true })): its sendMail wraps every message,
// even a raw one, in a MailMessage and a MIME node, with stream plumbing and random ids per message;
// profiled at 2,000 messages/s that is about a third of the sender's CPU, for work a finished
// message does not need. Semantics follow nodemailer's pool: a message the server refuses
// (EENVELOPE/EMESSAGE) resets the session and keeps the connection; any other error closes it.
// Nothing is retried here: the delivery loop owns retries, backoff and the ledger.
import DKIM, { type DKIMSingleKeyOptions } from 'nodemailer/lib/dkim';
import type { NodemailerError } from 'nodemailer/lib/errors';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { joinPieces, type MessagePiece } from './transport.js';

export interface SmtpPoolOptions {
  /** smtp:// or smtps:// URL with optional user:password and query options. */
  url: string;
  maxConnections: number;
  /** Messages per connection before it is replaced (servers limit this). */
  maxMessages: number;
  /** Connection, greeting, socket and DNS timeouts. */
  timeoutMs: number;
  /** At most `rateLimit` messages started per `rateDelta` ms, when set. */
  rateLimit?: number | null;
  rateDelta: number;
  dkim?: DKIMSingleKeyOptions;
}

export interface SmtpEnvelope {
  from: string;
  to: string;
}

export interface SmtpPool {
  /** Connects and logs in once (then disconnects): fails fast on a wrong URL or password. */
  verify(): Promise<void>;
  /**
   * Resolves when the server accepted the message for the recipient; rejects with its error. The
   * message may come in pieces (segment-mime.ts): they are joined in the connection's own buffer.
   */
  send(envelope: SmtpEnvelope, message: Buffer | readonly MessagePiece[]): Promise<void>;
  /** Closes idle connections now and busy ones when their message is done. */
  close(): void;
}

interface PooledConnection {
  connection: SMTPConnection;
  messages: number;
  /** The server or the network ended it: never handed out again. */
  dead: boolean;
  /** No longer counted among the open connections. */
  retired: boolean;
  /** Where a message given in pieces is joined (reused: see `joined`). */
  buffer: Buffer | null;
}

/** At most `limit` starts in any `windowMs`: waits for the oldest start in the window to expire. */
function createRateGate(limit: number | null | undefined, windowMs: number) {
  const starts: number[] = [];
  let chain: Promise<void> = Promise.resolve();
  return (): Promise<void> => {
    if (!limit) return Promise.resolve();
    // Callers queue in order, so one early caller cannot be overtaken forever.
    chain = chain.then(async () => {
      if (starts.length >= limit) {
        const wait = (starts.shift() as number) + windowMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      starts.push(Date.now());
    });
    return chain;
  };
}

function closedError(): Error {
  return Object.assign(new Error('the SMTP pool is closed'), { code: 'ECONNECTION' });
}

export function createSmtpPool(options: SmtpPoolOptions): SmtpPool {
  const { auth, ...server } = parseConnectionUrl(options.url);
  const connectionOptions = {
    ...server,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    dnsTimeout: options.timeoutMs,
    logger: false,
    debug: false,
  };
  const signer = options.dkim ? new DKIM(options.dkim) : null;
  const idle: PooledConnection[] = [];
  const waiting: ((pooled: PooledConnection | null) => void)[] = [];
  const gate = createRateGate(options.rateLimit, options.rateDelta);
  let open = 0;
  let closed = false;

  /** Takes a connection out of the count (once) and lets a waiting sender open another. */
  function retire(pooled: PooledConnection, how: 'quit' | 'close'): void {
    pooled.dead = true;
    if (pooled.retired) return;
    pooled.retired = true;
    open--;
    if (how === 'quit') pooled.connection.quit();
    else pooled.connection.close();
    wakeOne();
  }

  function connect(): Promise<PooledConnection> {
    return new Promise((resolve, reject) => {
      const connection = new SMTPConnection(connectionOptions);
      const pooled: PooledConnection = {
        connection,
        messages: 0,
        dead: false,
        retired: false,
        buffer: null,
      };
      let settled = false;
      const fail = (error: Error) => {
        pooled.dead = true;
        if (!settled) {
          settled = true;
          connection.close();
          reject(error);
          return;
        }
        // Dropped while idle (servers end quiet connections): forget it. A busy one hears of
        // it in its send callback.
        const at = idle.indexOf(pooled);
        if (at !== -1) {
          idle.splice(at, 1);
          retire(pooled, 'close');
        }
      };
      connection.on('error', fail);
      connection.once('end', () =>
        fail(Object.assign(new Error('connection closed by the server'), { code: 'ECONNECTION' })),
      );
      connection.connect(() => {
        const ready = () => {
          if (settled) return;
          settled = true;
          resolve(pooled);
        };
        if (!auth?.user) return ready();
        connection.login(auth, (error) => (error ? fail(error) : ready()));
      });
    });
  }

  /** An idle connection, a new one while under the limit, or the next one released. */
  async function acquire(): Promise<PooledConnection> {
    for (;;) {
      if (closed) throw closedError();
      const pooled = idle.pop();
      if (pooled) return pooled;
      if (open < options.maxConnections) {
        open++;
        try {
          return await connect();
        } catch (error) {
          open--;
          wakeOne();
          throw error;
        }
      }
      const released = await new Promise<PooledConnection | null>((resolve) =>
        waiting.push(resolve),
      );
      if (released && !released.dead) return released;
    }
  }

  /** Lets one waiting sender go: with this connection, or to open its own. */
  function wakeOne(pooled: PooledConnection | null = null): boolean {
    const next = waiting.shift();
    if (!next) return false;
    next(pooled);
    return true;
  }

  function release(pooled: PooledConnection): void {
    if (closed || pooled.dead || pooled.messages >= options.maxMessages) {
      retire(pooled, 'quit');
      return;
    }
    if (!wakeOne(pooled)) idle.push(pooled);
  }

  /**
   * The message as one Buffer. Pieces are copied into a buffer the connection keeps and reuses: a
   * connection sends one message at a time, and the server answers only after the last byte
   * arrived, so the bytes are no longer needed when the next message is joined there. A new
   * Buffer per message (about 50 KB, tens of megabytes a second) was allocation and garbage
   * collector work for nothing.
   */
  function joined(pooled: PooledConnection, message: Buffer | readonly MessagePiece[]): Buffer {
    if (Buffer.isBuffer(message)) return message;
    if (signer) return joinPieces(message);
    // Text pieces are ASCII: one byte a character.
    let length = 0;
    for (const piece of message) length += piece.length;
    if (!pooled.buffer || pooled.buffer.length < length) {
      pooled.buffer = Buffer.allocUnsafeSlow(Math.max(64 * 1024, Math.ceil(length * 1.25)));
    }
    const buffer = pooled.buffer;
    let at = 0;
    for (const piece of message) {
      at += typeof piece === 'string' ? buffer.write(piece, at, 'latin1') : piece.copy(buffer, at);
    }
    return buffer.subarray(0, length);
  }

  function transmit(
    pooled: PooledConnection,
    envelope: SmtpEnvelope,
    raw: Buffer | readonly MessagePiece[],
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const whole = joined(pooled, raw);
      const message = signer ? signer.sign(whole) : whole;
      pooled.connection.send({ from: envelope.from, to: [envelope.to] }, message, (error, info) => {
        pooled.messages++;
        if (error) {
          const refused =
            (error.code === 'EENVELOPE' || error.code === 'EMESSAGE') &&
            error.responseCode !== 421 &&
            !pooled.dead;
          if (refused) {
            // The server refused this message; the session is fine once reset.
            pooled.connection.reset((resetError) => {
              if (resetError) retire(pooled, 'close');
              else release(pooled);
            });
          } else {
            retire(pooled, 'close');
          }
          reject(error);
          return;
        }
        release(pooled);
        // A resolved send can still have refused the recipient (a partial rejection).
        if (info.rejected.length > 0) {
          const reason = info.rejectedErrors?.[0];
          const rejected: NodemailerError =
            reason ?? new Error(`recipient rejected: ${info.response}`);
          rejected.rejected = info.rejected.map(String);
          reject(rejected);
          return;
        }
        resolve();
      });
    });
  }

  return {
    async verify() {
      const pooled = await connect();
      pooled.dead = true;
      pooled.connection.quit();
    },
    async send(envelope, raw) {
      if (closed) throw closedError();
      await gate();
      await transmit(await acquire(), envelope, raw);
    },
    close() {
      closed = true;
      for (const pooled of idle.splice(0)) retire(pooled, 'quit');
      while (wakeOne()) {}
    },
  };
}
