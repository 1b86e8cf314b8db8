// "Did you mean ...?" for mistyped ids and keys.

/** Optimal-string-alignment distance: Levenshtein plus the transposition of two adjacent letters. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The candidate the input most likely meant, or undefined when none is close enough. Compared
 * case-insensitively, with "_" and " " read as "-". In order of preference:
 * - the smallest edit distance, if at most a third of the input's length (at least 1):
 *   "grpahs" -> "graphs", "timeseries" -> "time-series", "LLM" -> "llm";
 * - a candidate that starts with the input, or that the input starts with, if only one does:
 *   "gen" -> "generative", "robot" -> "robotics";
 * - the single candidate sharing the longest prefix of at least 4 characters:
 *   "medicine" -> "medical".
 * Ties go to the earlier candidate.
 */
export function suggestClosest(input: string, candidates: readonly string[]): string | undefined {
  const normalize = (text: string) =>
    text
      .trim()
      .toLowerCase()
      .replace(/[_\s]+/g, '-');
  const wanted = normalize(input);
  if (wanted.length === 0 || candidates.length === 0) return undefined;
  const normalized = candidates.map(normalize);

  let best: { index: number; distance: number } | undefined;
  normalized.forEach((candidate, index) => {
    const distance = editDistance(wanted, candidate);
    if (best === undefined || distance < best.distance) best = { index, distance };
  });
  if (best !== undefined && best.distance <= Math.max(1, Math.floor(wanted.length / 3))) {
    return candidates[best.index];
  }

  const prefixed = normalized.flatMap((candidate, index) =>
    candidate.startsWith(wanted) || wanted.startsWith(candidate) ? [index] : [],
  );
  if (prefixed.length === 1) return candidates[prefixed[0] as number];

  const prefixes = normalized.map((candidate) => commonPrefixLength(wanted, candidate));
  const longest = Math.max(...prefixes);
  if (longest >= 4 && prefixes.filter((length) => length === longest).length === 1) {
    return candidates[prefixes.indexOf(longest)];
  }
  return undefined;
}
