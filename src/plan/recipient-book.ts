// The plan's recipients, packed: every recipient's id, address and name as UTF-8 records in 1 MB
// buffers (the book), and each segment a stretch of one shared Uint32Array of where its
// recipients' records start.
//
// Why not an object per recipient: at 100,000 subscribers an object and three strings each kept
// about 25 MB alive in the heap for the whole send, so the sender's peak memory grew with the list
// (issue 7). Packed, a recipient costs its bytes plus 4, outside the collected heap; the object is
// made when a recipient is read, and is garbage once their message is sent.
import type { Recipient } from './types.js';

/** What reads a segment's recipients: a plain array is one too (tests, a stored plan). */
export interface RecipientList extends Iterable<Recipient> {
  readonly length: number;
}

/** Whether any of the list passes `test`, reading no further than the first that does. */
export function someRecipient(
  list: RecipientList,
  test: (recipient: Recipient) => boolean,
): boolean {
  for (const recipient of list) if (test(recipient)) return true;
  return false;
}

/** A record: id, email, name byte lengths (u16 each; NO_NAME for null), then the three texts. */
const HEAD = 6;
const NO_NAME = 0xffff;
/** Longest text a record holds, in bytes (an id or an address is far shorter; see add). */
const MAX_TEXT = NO_NAME - 1;

/**
 * The book's buffers: records never span two, and a record's offset is its chunk's number times
 * CHUNK plus its place in it. Fixed chunks rather than one buffer doubled as it fills: nothing is
 * ever copied, and no large buffer is freed halfway through planning for the allocator to keep.
 */
const CHUNK = 1 << 20;

/** Append-only store of recipient records; a record is known by its offset. */
export class RecipientBook {
  private readonly chunks: Buffer[] = [];
  /** Bytes used in the last chunk. */
  private used = CHUNK;
  private total = 0;

  /** Appends a record; returns its offset. */
  add(recipient: Recipient): number {
    const { subscriberId, email, name } = recipient;
    // 3 bytes per UTF-16 unit is UTF-8's worst case; the exact size is known after writing.
    const most = HEAD + 3 * (subscriberId.length + email.length + (name?.length ?? 0));
    if (most > CHUNK) throw tooLong(email);
    if (this.used + most > CHUNK) {
      this.chunks.push(Buffer.allocUnsafeSlow(CHUNK));
      this.used = 0;
    }
    const bytes = this.chunks[this.chunks.length - 1] as Buffer;
    const start = this.used;
    let end = start + HEAD;
    const idBytes = bytes.write(subscriberId, end, 'utf8');
    end += idBytes;
    const emailBytes = bytes.write(email, end, 'utf8');
    end += emailBytes;
    const nameBytes = name === null ? NO_NAME : bytes.write(name, end, 'utf8');
    if (idBytes > MAX_TEXT || emailBytes > MAX_TEXT || (name !== null && nameBytes > MAX_TEXT)) {
      throw tooLong(email);
    }
    if (name !== null) end += nameBytes;
    bytes.writeUInt16LE(idBytes, start);
    bytes.writeUInt16LE(emailBytes, start + 2);
    bytes.writeUInt16LE(nameBytes, start + 4);
    this.used = end;
    this.total += end - start;
    return (this.chunks.length - 1) * CHUNK + start;
  }

  read(at: number): Recipient {
    const bytes = this.chunkOf(at);
    const start = at % CHUNK;
    const idEnd = start + HEAD + bytes.readUInt16LE(start);
    const emailEnd = idEnd + bytes.readUInt16LE(start + 2);
    const nameBytes = bytes.readUInt16LE(start + 4);
    return {
      subscriberId: bytes.toString('utf8', start + HEAD, idEnd),
      email: bytes.toString('utf8', idEnd, emailEnd),
      name: nameBytes === NO_NAME ? null : bytes.toString('utf8', emailEnd, emailEnd + nameBytes),
    };
  }

  /** The record's id alone (sorting reads the keys it compares, nothing else). */
  subscriberIdAt(at: number): string {
    const bytes = this.chunkOf(at);
    const start = at % CHUNK;
    return bytes.toString('utf8', start + HEAD, start + HEAD + bytes.readUInt16LE(start));
  }

  /** The record's address alone. */
  emailAt(at: number): string {
    const bytes = this.chunkOf(at);
    const start = at % CHUNK;
    const idEnd = start + HEAD + bytes.readUInt16LE(start);
    return bytes.toString('utf8', idEnd, idEnd + bytes.readUInt16LE(start + 2));
  }

  private chunkOf(at: number): Buffer {
    return this.chunks[Math.floor(at / CHUNK)] as Buffer;
  }

  /** Bytes held by records. */
  get size(): number {
    return this.total;
  }
}

function tooLong(email: string): RangeError {
  return new RangeError(`${email}: a subscriber's id, address or name over ${MAX_TEXT} bytes`);
}

/**
 * One segment's recipients: the records of a book whose offsets are `starts[from..to)`. The
 * segments of a plan share one `starts` (a typed array each would cost ~200 bytes a segment, and
 * a large list has thousands of segments).
 */
export class PackedRecipients implements RecipientList {
  constructor(
    private readonly book: RecipientBook,
    private readonly starts: Uint32Array,
    private readonly from: number,
    private readonly to: number,
  ) {}

  get length(): number {
    return this.to - this.from;
  }

  *[Symbol.iterator](): Iterator<Recipient> {
    for (let index = this.from; index < this.to; index++) {
      yield this.book.read(this.starts[index] as number);
    }
  }

  /** As a plain array, so a plan written with JSON.stringify lists its recipients. */
  toJSON(): Recipient[] {
    return [...this];
  }
}
