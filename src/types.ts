// The data contract shared by every stage. Data only: no behaviour lives here.

/** Links a reader can follow for one paper. Every value is an absolute https URL or null. */
export interface PaperLinks {
  /** The Hugging Face paper page, or an HF papers search URL for the title when the id is unknown. */
  paper: string;
  arxiv: string | null;
  pdf: string | null;
  code: string | null;
  project: string | null;
}

/** One paper of an issue, as every later stage sees it, whatever the source format was. */
export interface Paper {
  /** The arXiv id when known, else a stable id derived from the normalized title. */
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  authorsCount: number | null;
  organization: string | null;
  /** YYYY-MM-DD */
  publishedAt: string | null;
  upvotes: number | null;
  comments: number;
  links: PaperLinks;
  /** HF `ai_summary`. */
  summary: string | null;
  /** HF `ai_keywords`. */
  keywords: string[];
  /** Topic ids, most specific first. */
  topics: string[];
  /** topic id -> the terms that matched, so an email can say why a paper was chosen. */
  matched: Record<string, string[]>;
}

/** A problem in the input that did not stop parsing. `line` is 1-based, null when not line-based. */
export interface ParseWarning {
  line: number | null;
  message: string;
}

/** One day's list of papers. */
export interface Issue {
  /** YYYY-MM-DD */
  date: string;
  papers: Paper[];
  warnings: ParseWarning[];
}

/** A paper as a parser sees it, before classification. */
export type ParsedPaper = Omit<Paper, 'topics' | 'matched'>;

export interface ParsedIssue {
  date: string;
  papers: ParsedPaper[];
  warnings: ParseWarning[];
}

/** A subscribable topic and the rules that decide whether a paper belongs to it. */
export interface Topic {
  /** A stable id: subscribers and config refer to it. */
  id: string;
  name: string;
  /** One line a reader sees next to the checkbox. */
  description: string;
  /** Phrases matched case-insensitively as whole words; spaces and hyphens are interchangeable. */
  terms: string[];
  /** Matched case-sensitively as whole words (GNN, CTR, YOLO). */
  acronyms: string[];
  /** Regular expression sources (case-insensitive) for what a phrase list cannot say. */
  patterns: string[];
}
