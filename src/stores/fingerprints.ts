// Fingerprints of a list's keys (ids, addresses): a number per key, so that a scan of a large list
// can tell that no key repeats without keeping the keys. 8 bytes a key, in a typed array outside
// the collected heap, against an object and two strings (about 120 bytes) for each subscriber,
// which at 100,000 made the scan's memory grow with the list (issue 7).
//
// Equal keys always have equal fingerprints; different keys rarely do (53 bits: about one chance
// in 10^6 for a whole list of 100,000). A repeat is therefore only a "maybe": the caller then
// checks the keys themselves, the slow way, and names the entries.

import { NumberColumn } from '../number-column.js';

/** A 53-bit number from two 32-bit FNV-1a hashes (different bases) of the UTF-16 code units. */
export function fingerprint(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x01000193) ^ (b >>> 15);
  }
  // Exact in a double: 32 bits times 2^21, plus 21 bits.
  return (a >>> 0) * 0x200000 + (b >>> 11);
}

/** Fingerprints in the order added. */
export class Fingerprints {
  private readonly values = new NumberColumn(Float64Array);

  add(key: string): void {
    this.values.push(fingerprint(key));
  }

  get count(): number {
    return this.values.length;
  }

  /** The fingerprint of the key added at `index`. */
  at(index: number): number {
    return this.values.at(index);
  }

  /** Two keys with the same fingerprint: maybe the same key twice. */
  mayRepeat(): boolean {
    const sorted = this.values.copy().sort();
    for (let index = 1; index < sorted.length; index++) {
      if (sorted[index] === sorted[index - 1]) return true;
    }
    return false;
  }
}
