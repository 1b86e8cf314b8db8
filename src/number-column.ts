// A column of numbers that grows as they are pushed, in a typed array: how the planner keeps a
// number or two per subscriber while it scans a list (record offsets, groups, skip reasons), and
// the scan its fingerprints, outside the collected heap. A JS array of numbers costs 8 bytes an
// entry, twice that while it grows, and is traced by every full collection; at 100,000
// subscribers such arrays were several MB of the planner's peak (issue 7).

/** Unsigned 32-bit numbers (the default), or any double (a fingerprint's 53 bits). */
type NumberArray = Uint32Array | Float64Array;

export class NumberColumn {
  private values: NumberArray;
  private used = 0;

  constructor(private readonly kind: new (length: number) => NumberArray = Uint32Array) {
    this.values = new kind(1024);
  }

  push(value: number): void {
    if (this.used === this.values.length) {
      const grown = new this.kind(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.used++] = value;
  }

  get length(): number {
    return this.used;
  }

  at(index: number): number {
    return this.values[index] as number;
  }

  /** A copy of the numbers pushed. */
  copy(): NumberArray {
    return this.values.slice(0, this.used);
  }
}
