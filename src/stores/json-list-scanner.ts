// Finds one list in a JSON object's text, and each of its items, without parsing them, so that a
// file of 100,000 subscribers can be read a piece at a time and parsed one record at a time: each
// record is parsed, validated and let go in turn, and neither the whole text nor the whole list as
// parsed JSON needs to sit in memory next to the validated records.
//
// The scanner only finds boundaries: strings (with their escapes) and brackets. Everything it
// passes over is checked by JSON.parse afterwards: each item on its own, and the object without
// the list's items (`outer`). With the commas and brackets the scanner does check, that makes the
// whole text valid JSON with that list in it. Anything else (a syntax error, the key twice, a list
// that is not one) gives null, and the caller parses the text whole, which says what is wrong.

/** Returned by the skip functions when the text ends before the value does. */
const MORE = -1;
/** Returned when what is there cannot be a value. */
const INVALID = -2;

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipSpace(text: string, at: number): number {
  let index = at;
  while (index < text.length && isSpace(text.charCodeAt(index))) index++;
  return index;
}

/** The end of the string opening at `at` (just past its closing quote), or MORE. */
function skipString(text: string, at: number): number {
  let index = at + 1;
  for (;;) {
    const quote = text.indexOf('"', index);
    if (quote === -1) return MORE;
    // The quote is escaped when an odd number of backslashes stand before it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    index = quote + 1;
  }
}

/** The end of the value starting at `at` (which is not whitespace), MORE or INVALID. */
function skipValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === 0x22) return skipString(text, at);
  if (first !== 0x7b && first !== 0x5b) {
    // A number, true, false or null: up to the next delimiter, which must be there (in an object,
    // a value is always followed by one) so that a number cut between two pieces is not taken
    // for a whole one.
    let index = at;
    while (index < text.length) {
      const code = text.charCodeAt(index);
      if (code === 0x2c || code === 0x5d || code === 0x7d || isSpace(code)) break;
      index++;
    }
    if (index === text.length) return MORE;
    return index > at ? index : INVALID;
  }
  let depth = 0;
  let index = at;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      index = skipString(text, index);
      if (index < 0) return index;
      continue;
    }
    if (code === 0x7b || code === 0x5b) depth++;
    else if (code === 0x7d || code === 0x5d) {
      depth--;
      if (depth === 0) return index + 1;
    }
    index++;
  }
  return MORE;
}

type Found =
  /** The list's `[` is at `at`. */
  | { kind: 'list'; at: number }
  /** The object ends (at `end`, past its `}`) without the key. */
  | { kind: 'none'; end: number }
  /** The text ends first; scanning can start again from `resume` (a member's start) with more. */
  | { kind: 'more'; resume: number }
  | { kind: 'invalid' };

/**
 * Scans the object `text` opens, member by member, up to the value of `key`. `from` is 0, or a
 * `resume` given earlier for the same text with less at its end.
 */
function findList(text: string, key: string, from = 0): Found {
  const invalid = { kind: 'invalid' } as const;
  let member = from;
  const more = () => ({ kind: 'more', resume: member }) as const;
  if (from === 0) {
    const open = skipSpace(text, 0);
    if (open === text.length) return more();
    if (text.charCodeAt(open) !== 0x7b) return invalid;
    member = skipSpace(text, open + 1);
    if (member === text.length) return { kind: 'more', resume: 0 };
    if (text.charCodeAt(member) === 0x7d) return { kind: 'none', end: member + 1 };
  }
  for (;;) {
    member = skipSpace(text, member);
    if (member === text.length) return more();
    if (text.charCodeAt(member) !== 0x22) return invalid;
    const keyEnd = skipString(text, member);
    if (keyEnd === MORE) return more();
    let name: unknown;
    try {
      name = JSON.parse(text.slice(member, keyEnd));
    } catch {
      return invalid;
    }
    let index = skipSpace(text, keyEnd);
    if (index === text.length) return more();
    if (text.charCodeAt(index) !== 0x3a) return invalid;
    index = skipSpace(text, index + 1);
    if (index === text.length) return more();
    if (name === key) {
      return text.charCodeAt(index) === 0x5b ? { kind: 'list', at: index } : invalid;
    }
    index = skipValue(text, index);
    if (index === MORE) return more();
    if (index === INVALID) return invalid;
    index = skipSpace(text, index);
    if (index === text.length) return more();
    const code = text.charCodeAt(index);
    if (code === 0x7d) return { kind: 'none', end: index + 1 };
    if (code !== 0x2c) return invalid;
    member = index + 1;
  }
}

export interface ListScanner {
  /** The next piece of the text. False once the text cannot be a plain object with the list. */
  push(piece: string): boolean;
  /** After the last piece: the object's text with the list emptied (`"key": []`), or null. */
  end(): string | null;
}

/**
 * Reads a JSON object's text piece by piece and hands each item of the list under `key` to
 * `onItem`, as its own text, as soon as it is whole. `onItem` returning false stops the scan (the
 * end is then null). Only the text of the item being read is held, not the text before it.
 */
export function createListScanner(key: string, onItem: (item: string) => boolean): ListScanner {
  let state: 'head' | 'items' | 'tail' | 'failed' = 'head';
  /** head: the text so far; items: the text not read yet. */
  let pending = '';
  /** The text before the list's `[` (or all of it, when there is no list). */
  let head = '';
  const tail: string[] = [];
  let hasList = true;
  /** Where the items are: before the first, after an item, after a comma. */
  let position: 'start' | 'item' | 'comma' = 'start';

  const fail = () => {
    state = 'failed';
    pending = '';
    return false;
  };

  /** Where scanning the head goes on when more text comes. */
  let resume = 0;

  function readHead(): boolean {
    const found = findList(pending, key, resume);
    if (found.kind === 'more') {
      resume = found.resume;
      return true;
    }
    if (found.kind === 'invalid') return fail();
    if (found.kind === 'none') {
      hasList = false;
      head = pending.slice(0, found.end);
      tail.push(pending.slice(found.end));
    } else {
      head = pending.slice(0, found.at);
      pending = pending.slice(found.at + 1);
    }
    state = hasList ? 'items' : 'tail';
    return true;
  }

  function readItems(): boolean {
    let index = 0;
    for (;;) {
      index = skipSpace(pending, index);
      if (index === pending.length) break;
      const code = pending.charCodeAt(index);
      if (code === 0x5d && position !== 'comma') {
        tail.push(pending.slice(index + 1));
        pending = '';
        state = 'tail';
        return true;
      }
      if (position === 'item') {
        if (code !== 0x2c) return fail();
        position = 'comma';
        index++;
        continue;
      }
      const end = skipValue(pending, index);
      if (end === MORE) break;
      if (end === INVALID || !onItem(pending.slice(index, end))) return fail();
      position = 'item';
      index = end;
    }
    pending = pending.slice(index);
    return true;
  }

  return {
    push(piece) {
      if (state === 'failed') return false;
      if (state === 'tail') {
        tail.push(piece);
        return true;
      }
      pending += piece;
      if (state === 'head' && !readHead()) return false;
      if (state === 'items') return readItems();
      return true;
    },
    end() {
      if (state !== 'tail') return null;
      const rest = tail.join('');
      if (!hasList) return `${head}${rest}`;
      // The key again after the list: JSON.parse would keep the second one.
      const after = skipSpace(rest, 0);
      if (
        rest.charCodeAt(after) === 0x2c &&
        findList(`{${rest.slice(after + 1)}`, key).kind !== 'none'
      ) {
        return null;
      }
      return `${head}[]${rest}`;
    },
  };
}
