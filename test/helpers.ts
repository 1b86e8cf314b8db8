import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const SEED_PATH = `${FIXTURES}hf-papers-search-2025-10-31.txt`;
export const SEED_DATE = '2025-10-31';

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

export const seedText = (): string => fixture('hf-papers-search-2025-10-31.txt');
