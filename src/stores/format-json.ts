// JSON as a person would lay it out (and as Biome formats it): objects near the top one key per
// line, short lists and small objects on one line, anything longer than the width broken up. So
// the subscriber file diffs one field per line and a hand edit survives the next write.

const WIDTH = 100;
/** Objects and lists this deep or shallower are always expanded (the file, its lists, records). */
const ALWAYS_EXPANDED_DEPTH = 2;

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function entriesOf(value: object): [string | null, unknown][] {
  return Array.isArray(value)
    ? value.map((item): [null, unknown] => [null, item])
    : Object.entries(value).filter(([, item]) => item !== undefined);
}

function formatInline(value: unknown): string {
  if (!isContainer(value)) return JSON.stringify(value);
  const items = entriesOf(value).map(([key, item]) =>
    key === null ? formatInline(item) : `${JSON.stringify(key)}: ${formatInline(item)}`,
  );
  if (Array.isArray(value)) return `[${items.join(', ')}]`;
  return items.length === 0 ? '{}' : `{ ${items.join(', ')} }`;
}

function formatValue(value: unknown, indent: string, depth: number, reserved: number): string {
  if (!isContainer(value)) return JSON.stringify(value);
  const entries = entriesOf(value);
  const inline = formatInline(value);
  if (
    entries.length === 0 ||
    (depth > ALWAYS_EXPANDED_DEPTH && indent.length + reserved + inline.length <= WIDTH)
  ) {
    return inline;
  }
  const inner = `${indent}  `;
  const lines = entries.map(([key, item], index) => {
    const prefix = key === null ? '' : `${JSON.stringify(key)}: `;
    const comma = index < entries.length - 1 ? ',' : '';
    return `${inner}${prefix}${formatValue(item, inner, depth + 1, prefix.length + comma.length)}${comma}`;
  });
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join('\n')}\n${indent}${close}`;
}

/** 2-space JSON with a trailing newline; undefined fields are left out. */
export function formatJson(value: unknown): string {
  return `${formatValue(value, '', 0, 0)}\n`;
}
