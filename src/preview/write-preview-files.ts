// A preview as files: the HTML part (open it in a browser), the text part, and the complete
// message (open it in a mail client, or feed it to a spam checker).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PaperboyError } from '../errors.js';
import type { PreviewEmail } from './render-preview.js';

/** Writes `<dir>/<name>.html`, `.txt` and `.eml`; returns their paths in that order. */
export function writePreviewFiles(dir: string, name: string, email: PreviewEmail): string[] {
  const files: [string, string | Buffer][] = [
    [join(dir, `${name}.html`), email.html],
    [join(dir, `${name}.txt`), email.text],
    [join(dir, `${name}.eml`), email.eml],
  ];
  try {
    mkdirSync(dir, { recursive: true });
    for (const [path, content] of files) writeFileSync(path, content);
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    throw new PaperboyError('unreadable', `${path ?? dir}: cannot write the preview (${code})`, {
      hint: 'choose another folder with --out',
      cause: error,
    });
  }
  return files.map(([path]) => path);
}
