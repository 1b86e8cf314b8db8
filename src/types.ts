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

export const SUBSCRIBER_STATUSES = ['active', 'unsubscribed', 'bounced'] as const;
/** `unsubscribed` and `bounced` subscribers are suppression records: never mailed, kept. */
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `weekly` subscribers get, on their weekday, the issues of the past 7 days merged. */
export type Frequency = 'daily' | 'weekly';

/** Phrases matched like topic terms on title, abstract and HF keywords. */
export interface KeywordFilter {
  /** A paper matching any of these is selected even outside the subscriber's topics. */
  include: string[];
  /** A paper matching any of these is never selected (wins over topics and include). */
  exclude: string[];
}

/** One person on the list, as the store returns it (every optional field filled in). */
export interface Subscriber {
  /** Stable, opaque, never reused: `sub_` + random hex. Links and the ledger refer to it. */
  id: string;
  /** As given (trimmed); compared case-insensitively. */
  email: string;
  name: string | null;
  /** Topic ids, or `all` for every paper of the issue. */
  topics: string[] | 'all';
  keywords: KeywordFilter;
  /** Papers per email; null means the configured default. */
  maxPapers: number | null;
  frequency: Frequency;
  /** The day a weekly subscriber is served; null for daily subscribers. */
  weekday: Weekday | null;
  status: SubscriberStatus;
  /** ISO timestamps. */
  subscribedAt: string;
  updatedAt: string;
  unsubscribedAt: string | null;
}

/** What a segment's subscribers share: everything that decides which papers they get. */
export interface SelectionSettings {
  topics: string[] | 'all';
  keywords: KeywordFilter;
  maxPapers: number;
  frequency: Frequency;
  weekday: Weekday | null;
}
