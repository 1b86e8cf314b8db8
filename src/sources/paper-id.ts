import { hash as digest } from 'node:crypto';

const NON_ASCII = /[\u0080-\uffff]/;

/** The title reduced to what survives copying: lower case, no accents, punctuation or extra space. */
export function normalizeTitle(title: string): string {
  // Most titles are ASCII: decomposing and dropping marks leave them as they are, and after
  // lower-casing their letters and digits are a-z and 0-9. The Unicode-aware path costs several
  // times more and was a large share of parsing a text copy.
  if (!NON_ASCII.test(title)) {
    return title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  }
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
  // One-shot hash (Node >= 20.12): same hex digest as createHash, without a Hash object per paper.
  const hash = digest('sha256', normalized, 'hex').slice(0, 8);
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
