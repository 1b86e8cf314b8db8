// Each distinct text once, known by its number: how the packed plan (recipient-book.ts,
// skipped-list.ts) keeps a text that thousands of entries share (a domain, a skip's detail, a
// segment id) as a small number per entry.

export class NumberedTexts {
  /** The texts, each at its number. */
  readonly list: string[] = [];
  private readonly numbers = new Map<string, number>();

  /** The text's number, given it now when it is new. */
  numberOf(text: string): number {
    let number = this.numbers.get(text);
    if (number === undefined) {
      number = this.list.length;
      this.list.push(text);
      this.numbers.set(text, number);
    }
    return number;
  }

  has(text: string): boolean {
    return this.numbers.has(text);
  }
}
