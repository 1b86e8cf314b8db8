// A pool of SMTP connections for finished messages. Each connection is nodemailer's SMTPConnection
// (the documented low-level client: greeting, STARTTLS, AUTH, MAIL/RCPT/DATA, dot-stuffing);
// this file only keeps up to `maxConnections` of them open, hands each message to an idle one,
// replaces a connection after `maxMessages` or an error, and holds the sending rate.
//
// Why not nodemailer's own pool (createTransport({ pool: true })): its sendMail wraps every message,
// even a raw one, in a MailMessage and a MIME node, with stream plumbing and random ids per message;
// profiled at 2,000 messages/s that is about a third of the sender's CPU, for work a finished
// message does not need. Semantics follow nodemailer's pool: a message the server refuses keeps
// the connection (after RSET when its envelope was refused); any other error closes it. Nothing
// is retried here: the delivery loop owns retries, backoff and the ledger.
//
// Pipelining across messages: once a connection has written a message (its 'written' event, from
// the patched SMTPConnection), it takes the next one before the reply to the first comes, so the
// next envelope leaves in the same write as the message (RFC 2920). A message's promise still
// settles on its own reply. A connection then carries two messages at a time, so once the
// connections pipeline, the pool keeps half of `maxConnections` open: as many messages in flight,
// and each write carries a message and the next envelope (measured at 100k: the sink's CPU per
// message fell by about a quarter). A server without PIPELINING keeps one message a connection,
// and all of them.
import type { EventEmitter } from 'node:events';
import DKIM, { type DKIMSingleKeyOptions } from 'nodemailer/lib/dkim';
import type { NodemailerError } from 'nodemailer/lib/errors';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { arePiecesClean } from './clean-pieces.js';
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
  /** Where messages given in pieces are joined, in turn (reused: see `joined`). */
  buffers: [Buffer | null, Buffer | null];
  /** Which of `buffers` the next message is joined in. */
  nextBuffer: 0 | 1;
  /** Hands the connection on once the message in progress is written. */
  onWritten: (() => void) | null;
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
  /** A connection has taken a message before the last one's reply (see the 'written' event). */
  let pipelining = false;
  /** Connections worth keeping open: two messages each once connections pipeline. */
  const wanted = () =>
    pipelining ? Math.ceil(options.maxConnections / 2) : options.maxConnections;

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
        buffers: [null, null],
        nextBuffer: 0,
        onWritten: null,
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
      // The patched SMTPConnection's event (not in its types): a message is written.
      (connection as EventEmitter).on('written', () => {
        pipelining = true;
        const onWritten = pooled.onWritten;
        pooled.onWritten = null;
        onWritten?.();
      });
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
      if (open < wanted()) {
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
    // More connections than pipelining needs (the first messages opened them all): one that
    // nobody waits for goes.
    const spare = open > wanted() && waiting.length === 0;
    if (closed || pooled.dead || pooled.messages >= options.maxMessages || spare) {
      retire(pooled, 'quit');
      return;
    }
    if (!wakeOne(pooled)) idle.push(pooled);
  }

  /**
   * The message as one Buffer. Pieces are copied into one of two buffers the connection keeps,
   * used in turn: a new Buffer per message (about 30 KB, tens of megabytes a second) was
   * allocation and garbage collector work for nothing. Two, because the next message is joined
   * while this one may still wait in the socket (corked, see the 'written' event). The one after
   * that is joined only once the next one's DATA was answered, and that command left after all of
   * this message's bytes: they are no longer needed there.
   */
  function joined(pooled: PooledConnection, message: Buffer | readonly MessagePiece[]): Buffer {
    if (Buffer.isBuffer(message)) return message;
    if (signer) return joinPieces(message);
    // Text pieces are ASCII: one byte a character.
    let length = 0;
    for (const piece of message) length += piece.length;
    const turn = pooled.nextBuffer;
    pooled.nextBuffer = turn === 0 ? 1 : 0;
    let buffer = pooled.buffers[turn];
    if (!buffer || buffer.length < length) {
      buffer = Buffer.allocUnsafeSlow(Math.max(64 * 1024, Math.ceil(length * 1.25)));
      pooled.buffers[turn] = buffer;
    }
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
      // Pieces are checked for dot-stuffing piece by piece (the segment's once), so nodemailer
      // need not scan every line of the joined bytes again; a signed message it scans.
      const messageIsClean = !signer && !Buffer.isBuffer(raw) && arePiecesClean(raw);
      // Handed on when written, or else when the reply comes (a message that went through
      // nodemailer's stream, or was refused before its data).
      let handedOn = false;
      const onWritten = () => {
        handedOn = true;
        pooled.messages++;
        release(pooled);
      };
      pooled.onWritten = onWritten;
      // messageIsClean is the patched SMTPConnection's (not in its types).
      const smtpEnvelope = { from: envelope.from, to: [envelope.to], messageIsClean };
      pooled.connection.send(smtpEnvelope, message, (error, info) => {
        if (pooled.onWritten === onWritten) pooled.onWritten = null;
        if (!handedOn) pooled.messages++;
        if (error) {
          const kept = error.responseCode !== 421 && !pooled.dead;
          if (kept && error.code === 'EENVELOPE' && !handedOn) {
            // The server refused the envelope; the session is fine once reset.
            pooled.connection.reset((resetError) => {
              if (resetError) retire(pooled, 'close');
              else release(pooled);
            });
          } else if (kept && error.code === 'EMESSAGE') {
            // Refused after its data: the reply ended the transaction, nothing to reset (and the
            // next message may already be under way on this connection).
            if (!handedOn) release(pooled);
          } else {
            retire(pooled, 'close');
          }
          reject(error);
          return;
        }
        if (!handedOn) release(pooled);
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
