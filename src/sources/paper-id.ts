import { createHash } from 'node:crypto';

/** The title reduced to what survives copying: lower case, no accents, punctuation or extra space. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * A stable id for a paper whose source carries no arXiv id: a readable slug of the normalized
 * title plus a short hash of it, so the same title gives the same id in every run and source.
 */
export function titleId(title: string): string {
  const normalized = normalizeTitle(title);
  const hash = createHash('sha256').update(normalized).digest('hex').slice(0, 8);
  const slug = normalized
    .replace(/[^a-z0-9 ]/g, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .join('-')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug ? `${slug}-${hash}` : `paper-${hash}`;
}
