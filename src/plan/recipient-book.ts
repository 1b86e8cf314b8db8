// The plan's recipients, packed: every recipient's id, address and name as small records in 1 MB
// buffers (the book), and each segment a stretch of one shared Uint32Array of where its
// recipients' records start. The plan's skipped subscribers are records here too.
//
// Why not an object per recipient: at 100,000 subscribers an object and three strings each kept
// about 25 MB alive in the heap for the whole send, so the sender's peak memory grew with the list
// (issue 7). Packed, a recipient costs its bytes plus 4, outside the collected heap; the object is
// made when a recipient is read, and is garbage once their message is sent.
import { NumberedTexts } from './numbered-texts.js';
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

/**
 * A record: a flags byte, then the id, the address and the name (absent when null).
 * - The id: `sub_` and an even number of hex digits (every id the stores make) is its length in
 *   bytes (u8) and the bytes; any other id its UTF-8 length (u16) and UTF-8.
 * - The address: the part before its last "@" (u16 length, UTF-8) and the number of its domain
 *   in the book's list of domains (u16); an address without "@", or past 65,535 domains, is
 *   whole (u16 length, UTF-8).
 * - The name: u16 length, UTF-8.
 * A list's addresses share a few domains, so this is about 20 bytes a subscriber where plain
 * UTF-8 took 45 (100,000 subscribers: 2 MB against 4.5).
 */
const HEX_ID = 1;
const DOMAIN = 2;
const NO_NAME = 4;
/** Longest text a record holds, in bytes (an id or an address is far shorter; see add). */
const MAX_TEXT = 0xffff - 1;
const HEX_ID_PATTERN = /^sub_(?:[0-9a-f]{2}){1,127}$/;
const MAX_DOMAINS = 0xffff;

/**
 * The book's buffers: records never span two, and a record's offset is its chunk's number times
 * CHUNK plus its place in it. Fixed chunks rather than one buffer doubled as it fills: nothing is
 * ever copied, and no large buffer is freed halfway through planning for the allocator to keep.
 */
const CHUNK = 1 << 20;

/** Reads a record's fields in order. */
class RecordReader {
  private readonly flags: number;

  constructor(
    private readonly bytes: Buffer,
    private at: number,
    private readonly domains: readonly string[],
  ) {
    this.flags = bytes[at] as number;
    this.at = at + 1;
  }

  private text(): string {
    const length = this.bytes.readUInt16LE(this.at);
    this.at += 2 + length;
    return this.bytes.toString('utf8', this.at - length, this.at);
  }

  subscriberId(): string {
    if (!(this.flags & HEX_ID)) return this.text();
    const length = this.bytes[this.at] as number;
    this.at += 1 + length;
    return `sub_${this.bytes.toString('hex', this.at - length, this.at)}`;
  }

  email(): string {
    if (!(this.flags & DOMAIN)) return this.text();
    const local = this.text();
    const domain = this.domains[this.bytes.readUInt16LE(this.at)] as string;
    this.at += 2;
    return `${local}@${domain}`;
  }

  name(): string | null {
    return this.flags & NO_NAME ? null : this.text();
  }
}

/** Append-only store of recipient records; a record is known by its offset. */
export class RecipientBook {
  private readonly chunks: Buffer[] = [];
  /** Bytes used in the last chunk. */
  private used = CHUNK;
  private total = 0;
  private readonly domains = new NumberedTexts();

  /** Appends a record; returns its offset. */
  add(recipient: Recipient): number {
    const { subscriberId, email, name } = recipient;
    const hexId = HEX_ID_PATTERN.test(subscriberId);
    const at = email.lastIndexOf('@');
    const domain = at < 0 ? null : this.domainNumber(email.slice(at + 1));
    const local = domain === null ? email : email.slice(0, at);
    // 3 bytes per UTF-16 unit is UTF-8's worst case; the exact size is known after writing.
    const most = 10 + 3 * (subscriberId.length + local.length + (name?.length ?? 0));
    if (most > CHUNK) throw tooLong(email);
    if (this.used + most > CHUNK) {
      this.chunks.push(Buffer.allocUnsafeSlow(CHUNK));
      this.used = 0;
    }
    const bytes = this.chunks[this.chunks.length - 1] as Buffer;
    const start = this.used;
    let end = start + 1;
    const text = (value: string): void => {
      const length = bytes.write(value, end + 2, 'utf8');
      if (length > MAX_TEXT) throw tooLong(email);
      bytes.writeUInt16LE(length, end);
      end += 2 + length;
    };
    if (hexId) {
      const length = bytes.write(subscriberId.slice(4), end + 1, 'hex');
      bytes[end] = length;
      end += 1 + length;
    } else {
      text(subscriberId);
    }
    text(local);
    if (domain !== null) {
      bytes.writeUInt16LE(domain, end);
      end += 2;
    }
    if (name !== null) text(name);
    bytes[start] =
      (hexId ? HEX_ID : 0) | (domain !== null ? DOMAIN : 0) | (name === null ? NO_NAME : 0);
    this.used = end;
    this.total += end - start;
    return (this.chunks.length - 1) * CHUNK + start;
  }

  /** The domain's number, or null when the list of domains is full. */
  private domainNumber(domain: string): number | null {
    if (this.domains.list.length >= MAX_DOMAINS && !this.domains.has(domain)) return null;
    return this.domains.numberOf(domain);
  }

  read(at: number): Recipient {
    const record = this.reader(at);
    const subscriberId = record.subscriberId();
    const email = record.email();
    return { subscriberId, email, name: record.name() };
  }

  /** The record's id alone (sorting reads the keys it compares, nothing else). */
  subscriberIdAt(at: number): string {
    return this.reader(at).subscriberId();
  }

  /** The record's address alone. */
  emailAt(at: number): string {
    const record = this.reader(at);
    record.subscriberId();
    return record.email();
  }

  private reader(at: number): RecordReader {
    return new RecordReader(
      this.chunks[Math.floor(at / CHUNK)] as Buffer,
      at % CHUNK,
      this.domains.list,
    );
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
