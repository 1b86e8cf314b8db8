// The order of a segment's papers, best first. The cap keeps the top of this order.
//
//   1. Upvotes on Hugging Face, most first. A paper whose upvotes are unknown (a text copy of the
//      page may not show them) comes after every paper whose count is known, even a count of 0.
//   2. Match strength, highest first: the number of distinct phrases (compared case-insensitively)
//      among the terms that matched the paper for the segment's topics (every topic of the paper
//      for `all`) and the segment's keyword includes the paper matches. A term that is both a
//      topic term and an include counts once.
//   3. Recency: the arXiv publication day (publishedAt), newest first; unknown last.
//   4. The order of the issue: the page order, and for a weekly digest the newest issue first.
//
// Upvotes come first because they are the readers' own judgement of the day; strength breaks ties
// by how squarely a paper is on the subscriber's topics, which counts more when upvotes are
// unknown (a text copy) and every paper ties on the first key.

export interface RankKeys {
  upvotes: number | null;
  strength: number;
  publishedAt: string | null;
  /** Position in the issue (or the merged week). */
  order: number;
}

function knownFirst<T>(a: T | null, b: T | null, compare: (a: T, b: T) => number): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return compare(a, b);
}

/** Array.prototype.sort comparator: negative when `a` ranks above `b`. */
export function compareRank(a: RankKeys, b: RankKeys): number {
  return (
    knownFirst(a.upvotes, b.upvotes, (x, y) => y - x) ||
    b.strength - a.strength ||
    knownFirst(a.publishedAt, b.publishedAt, (x, y) => (x < y ? 1 : x > y ? -1 : 0)) ||
    a.order - b.order
  );
}
