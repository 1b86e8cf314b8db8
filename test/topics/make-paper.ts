import type { ParsedPaper, Topic } from '../../src/types.js';

/** A parsed paper with only the fields the classifier reads given. */
export function makePaper(fields: {
  title?: string;
  abstract?: string;
  summary?: string | null;
  keywords?: string[];
}): ParsedPaper {
  const title = fields.title ?? 'Untitled';
  return {
    id: title,
    title,
    abstract: fields.abstract ?? '',
    authors: [],
    authorsCount: null,
    organization: null,
    publishedAt: null,
    upvotes: null,
    comments: 0,
    links: {
      paper: 'https://huggingface.co/papers',
      arxiv: null,
      pdf: null,
      code: null,
      project: null,
    },
    summary: fields.summary ?? null,
    keywords: fields.keywords ?? [],
  };
}

export function makeTopic(
  id: string,
  rules: Partial<Pick<Topic, 'terms' | 'acronyms' | 'patterns'>>,
): Topic {
  return {
    id,
    name: id,
    description: id,
    terms: rules.terms ?? [],
    acronyms: rules.acronyms ?? [],
    patterns: rules.patterns ?? [],
  };
}
