// Per-recipient values in a rendered email. The segment's email is rendered once with a marker
// in place of each value; filling a recipient's copy is then string joins, not a render.
import { randomBytes } from 'node:crypto';

export const SLOT_NAMES = ['greeting', 'unsubscribeUrl', 'preferencesUrl'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];
export type SlotValues = Record<SlotName, string>;

/**
 * Markers are letters and digits only, so neither Handlebars, MJML nor an HTML minifier changes
 * them, and they carry a random nonce, so no title or abstract can contain one by accident.
 */
export function createSlotMarkers(): SlotValues {
  const nonce = randomBytes(6).toString('hex');
  return Object.fromEntries(
    SLOT_NAMES.map((name) => [name, `pbslot${nonce}${name}`]),
  ) as SlotValues;
}

/** A rendered text split at its markers: `parts[0] slot[0] parts[1] slot[1] ... parts[n]`. */
export interface SlottedText {
  parts: string[];
  slots: SlotName[];
}

/** Splits texts at `markers`; the pattern is built once for every text of a renderer. */
export function createSlotter(markers: SlotValues): (text: string) => SlottedText {
  const byMarker = new Map(SLOT_NAMES.map((name) => [markers[name], name]));
  const pattern = new RegExp(SLOT_NAMES.map((name) => markers[name]).join('|'), 'g');
  return (text) => {
    const parts: string[] = [];
    const slots: SlotName[] = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      parts.push(text.slice(last, match.index));
      slots.push(byMarker.get(match[0]) as SlotName);
      last = match.index + match[0].length;
    }
    parts.push(text.slice(last));
    return { parts, slots };
  };
}

export function toSlotted(text: string, markers: SlotValues): SlottedText {
  return createSlotter(markers)(text);
}

/**
 * The filled text as parts, `parts[0] value[0] parts[1] ... parts[n]`, each value passed through
 * `encode`: for a writer that converts them without joining them (utf8-scratch.ts).
 */
export function filledParts(
  slotted: SlottedText,
  values: SlotValues,
  encode: (value: string) => string = (value) => value,
): string[] {
  const out = [slotted.parts[0] ?? ''];
  for (let i = 0; i < slotted.slots.length; i++) {
    out.push(encode(values[slotted.slots[i] as SlotName]), slotted.parts[i + 1] ?? '');
  }
  return out;
}

/** Fills the slots with `values`, each passed through `encode` (HTML-escape for the HTML part). */
export function fillSlots(
  slotted: SlottedText,
  values: SlotValues,
  encode: (value: string) => string = (value) => value,
): string {
  return filledParts(slotted, values, encode).join('');
}
