// The plan's recipients, packed: every recipient's id, address and name as UTF-8 in one growing
// buffer (the book), and each segment a Uint32Array of where its recipients' records start.
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

/** Append-only store of recipient records; a record is known by its start offset. */
export class RecipientBook {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;

  /** Appends a record; returns its offset. */
  add(recipient: Recipient): number {
    const { subscriberId, email, name } = recipient;
    // 3 bytes per UTF-16 unit is UTF-8's worst case; the exact size is known after writing.
    this.reserve(HEAD + 3 * (subscriberId.length + email.length + (name?.length ?? 0)));
    const at = this.used;
    let end = at + HEAD;
    const idBytes = this.bytes.write(subscriberId, end, 'utf8');
    end += idBytes;
    const emailBytes = this.bytes.write(email, end, 'utf8');
    end += emailBytes;
    const nameBytes = name === null ? NO_NAME : this.bytes.write(name, end, 'utf8');
    if (idBytes > MAX_TEXT || emailBytes > MAX_TEXT || (name !== null && nameBytes > MAX_TEXT)) {
      throw new RangeError(`${email}: a subscriber's id, address or name over ${MAX_TEXT} bytes`);
    }
    if (name !== null) end += nameBytes;
    this.bytes.writeUInt16LE(idBytes, at);
    this.bytes.writeUInt16LE(emailBytes, at + 2);
    this.bytes.writeUInt16LE(nameBytes, at + 4);
    this.used = end;
    return at;
  }

  read(at: number): Recipient {
    const bytes = this.bytes;
    const idEnd = at + HEAD + bytes.readUInt16LE(at);
    const emailEnd = idEnd + bytes.readUInt16LE(at + 2);
    const nameBytes = bytes.readUInt16LE(at + 4);
    return {
      subscriberId: bytes.toString('utf8', at + HEAD, idEnd),
      email: bytes.toString('utf8', idEnd, emailEnd),
      name: nameBytes === NO_NAME ? null : bytes.toString('utf8', emailEnd, emailEnd + nameBytes),
    };
  }

  /** Bytes held by records. */
  get size(): number {
    return this.used;
  }

  /** Gives back the room reserved past the last record, once no more will be added. */
  trim(): void {
    if (this.bytes.length === this.used) return;
    const exact = Buffer.allocUnsafe(this.used);
    this.bytes.copy(exact, 0, 0, this.used);
    this.bytes = exact;
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    let length = this.bytes.length * 2;
    while (length < this.used + extra) length *= 2;
    const grown = Buffer.allocUnsafe(length);
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }
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
