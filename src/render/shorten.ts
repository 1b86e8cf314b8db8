// Shortening abstracts for the email: about two sentences, never a cut word.

/** Abbreviations whose period does not end a sentence. */
const NO_BREAK_BEFORE =
  /(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|Sec|No|approx|resp)\.|\b[A-Z]\.)$/;

/** Splits text into sentences at `. `, `! ` or `? ` followed by a capital, digit or quote. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of text.matchAll(/[.!?](?=\s+["“'(A-Z0-9])/g)) {
    const end = match.index + 1;
    if (NO_BREAK_BEFORE.test(text.slice(start, end))) continue;
    sentences.push(text.slice(start, end).trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) sentences.push(rest);
  return sentences;
}

/** Cuts at a word boundary to at most `max` characters, adding an ellipsis when it cuts. */
export function truncateWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** The first `sentences` sentences, at most `max` characters. */
export function shortenAbstract(
  text: string,
  sentences = 2,
  max = 360,
): { text: string; cut: boolean } {
  const all = splitSentences(text);
  const kept = truncateWords(all.slice(0, sentences).join(' '), max);
  return { text: kept, cut: kept.length < text.length };
}
