// A column of unsigned 32-bit numbers that grows as they are pushed: how the planner keeps a
// number or two per subscriber while it scans a list (record offsets, groups, skip reasons)
// outside the collected heap. A JS array of numbers costs 8 bytes an entry, twice that while it
// grows, and is traced by every full collection; at 100,000 subscribers such arrays were several
// MB of the planner's peak (issue 7).

export class NumberColumn {
  private values = new Uint32Array(1024);
  private used = 0;

  push(value: number): void {
    if (this.used === this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
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
}
