import { fileURLToPath } from 'node:url';

/**
 * The bundled sample: a real copy of the HF papers page for Oct 31, 2025 (79 papers). It is what
 * commands use when no source is given, so paperboy shows something on a fresh machine.
 */
export const SAMPLE = {
  // src/sample.ts and dist/sample.js are both one level below the package root.
  path: fileURLToPath(new URL('../examples/hf-papers-2025-10-31.txt', import.meta.url)),
  label: 'examples/hf-papers-2025-10-31.txt',
  date: '2025-10-31',
} as const;
