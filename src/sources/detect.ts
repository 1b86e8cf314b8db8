import { PaperboyError } from '../errors.js';

export const SOURCE_FORMATS = ['text', 'hf-json', 'hf-html'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/**
 * Decides the format from the content itself (a Content-Type only breaks a tie), so a saved
 * file parses the same as the URL it came from.
 */
export function detectFormat(content: string, contentType: string | null = null): SourceFormat {
  const start = content.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('[') || start.startsWith('{')) return 'hf-json';
  if (/^<(!doctype|html|head|body|div|main|!--)/i.test(start)) return 'hf-html';
  if (contentType?.includes('json')) return 'hf-json';
  if (contentType?.includes('html')) return 'hf-html';
  return 'text';
}

/** Rejects input that cannot be a papers list before any parser sees it. */
export function assertReadableText(bytes: Uint8Array, label: string): string {
  if (bytes.length === 0) {
    throw new PaperboyError('invalidInput', `${label}: empty input`, {
      hint: 'give a text copy of the HF papers page, HF API JSON or a saved HF papers page',
    });
  }
  const sample = bytes.subarray(0, 8192);
  if (sample.includes(0)) {
    throw new PaperboyError('invalidInput', `${label}: looks like a binary file, not text`, {
      hint: 'give a text copy of the HF papers page, HF API JSON or a saved HF papers page',
    });
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  const replaced = (text.slice(0, 8192).match(/\uFFFD/g) ?? []).length;
  if (replaced > 8) {
    throw new PaperboyError(
      'invalidInput',
      `${label}: not UTF-8 text (${replaced} undecodable bytes at the start)`,
    );
  }
  if (text.trim() === '') {
    throw new PaperboyError('invalidInput', `${label}: input holds only whitespace`);
  }
  return text;
}
