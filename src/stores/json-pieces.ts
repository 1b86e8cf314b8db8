// `JSON.stringify(value, null, 2)` a piece at a time, for files whose last field grows with the
// list (the send history's segments, an archive day's index): each member of that field is
// stringified on its own, so the whole text is never held (see write-pieces.ts).

/** A member of the large field: an array item, or an object's key and value. */
type Member = { item: unknown } | { key: string; value: unknown };

function indented(text: string, spaces: string): string {
  return text.replaceAll('\n', `\n${spaces}`);
}

function* framed(
  head: Record<string, unknown>,
  key: string,
  brackets: '[]' | '{}',
  members: Iterable<Member>,
): Generator<string> {
  const headText = JSON.stringify(head, null, 2);
  // The head's fields, without its closing "\n}"; "{}" when it has none.
  yield headText === '{}' ? '{\n' : `${headText.slice(0, -2)},\n`;
  let count = 0;
  for (const member of members) {
    const text =
      'item' in member
        ? indented(JSON.stringify(member.item, null, 2), '    ')
        : `${JSON.stringify(member.key)}: ${indented(JSON.stringify(member.value, null, 2), '    ')}`;
    yield `${count === 0 ? `  ${JSON.stringify(key)}: ${brackets[0]}\n` : ',\n'}    ${text}`;
    count++;
  }
  yield count === 0 ? `  ${JSON.stringify(key)}: ${brackets}\n}\n` : `\n  ${brackets[1]}\n}\n`;
}

/**
 * The text of `{ ...head, [key]: items }` as `JSON.stringify(value, null, 2)` and a newline give
 * it, byte for byte. Items must be JSON values (no undefined, functions or symbols).
 */
export function prettyJsonWithArray(
  head: Record<string, unknown>,
  key: string,
  items: Iterable<unknown>,
): Generator<string> {
  return framed(
    head,
    key,
    '[]',
    mapped(items, (item) => ({ item })),
  );
}

/** As prettyJsonWithArray, for `{ ...head, [key]: { [k]: v, ... } }` from its entries. */
export function prettyJsonWithRecord(
  head: Record<string, unknown>,
  key: string,
  entries: Iterable<[string, unknown]>,
): Generator<string> {
  return framed(
    head,
    key,
    '{}',
    mapped(entries, ([name, value]) => ({ key: name, value })),
  );
}

function* mapped<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
