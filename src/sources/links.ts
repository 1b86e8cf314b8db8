// Every link that reaches a template is an absolute https URL built or validated here.
import type { PaperLinks } from '../types.js';

const CODE_HOSTS = ['github.com', 'gitlab.com', 'bitbucket.org', 'codeberg.org', 'gitee.com'];
const HF_ORIGIN = 'https://huggingface.co';
const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

/** True for ids arXiv issues (2602.23229, 2602.23229v2, hep-th/9901001). */
export function isArxivId(id: string): boolean {
  return ARXIV_ID.test(id);
}

/** Returns the URL as an absolute https URL, or null when it is not a usable web address. */
export function toHttpsUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol === 'http:') url.protocol = 'https:';
  if (url.protocol !== 'https:' || !url.hostname.includes('.') || url.username || url.password) {
    return null;
  }
  return url.href;
}

/**
 * Cleans a code-hosting URL as authors write it in abstracts: trailing punctuation
 * (`.../y).`), a `.git` suffix, a trailing slash. Returns null for a bare host or a non-code URL.
 */
export function cleanCodeUrl(raw: string): string | null {
  let text = raw.trim();
  // Strip sentence punctuation and an unbalanced closing bracket, repeatedly: `.../y).`
  for (;;) {
    const before = text;
    text = text.replace(/[.,;:!?'"”’>]+$/, '');
    if (/[)\]}]$/.test(text)) {
      const close = text.at(-1) as string;
      const open = close === ')' ? '(' : close === ']' ? '[' : '{';
      if (text.split(open).length <= text.split(close).length - 1) text = text.slice(0, -1);
    }
    text = text.replace(/\.git$/i, '').replace(/\/+$/, '');
    if (text === before) break;
  }
  const url = toHttpsUrl(text);
  if (!url) return null;
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^www\./, '');
  if (!CODE_HOSTS.includes(host)) return null;
  const segments = parsed.pathname.split('/').filter(Boolean);
  if (segments.length === 0) return null;
  return `https://${host}/${segments.join('/')}${parsed.search}${parsed.hash}`;
}

/** `githubRepo` from the API: normally a full URL, sometimes `owner/repo`. */
export function normalizeRepoUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const text = raw.trim();
  if (/^[\w.-]+\/[\w.-]+$/.test(text)) return cleanCodeUrl(`https://github.com/${text}`);
  return cleanCodeUrl(text);
}

/** A code-host URL that a copy split after the host (`https://github.com/ owner/repo`). */
const SPLIT_CODE_URL = new RegExp(
  `(https?://(?:www\\.)?(?:${CODE_HOSTS.map((h) => h.replace('.', '\\.')).join('|')})/)\\s+(?=[\\w-])`,
  'gi',
);

/** Joins a URL that a copy split after the host. */
function joinSplitUrls(text: string): string {
  return text.replace(SPLIT_CODE_URL, '$1');
}

/** The first code-hosting URL in an abstract, cleaned; bare hosts are skipped. */
export function findCodeUrl(abstract: string): string | null {
  for (const match of joinSplitUrls(abstract).matchAll(/https?:\/\/[^\s<>"]+/gi)) {
    const url = cleanCodeUrl(match[0]);
    if (url) return url;
  }
  return null;
}

/** The first project-page URL in an abstract: a GitHub Pages site. */
export function findProjectUrl(abstract: string): string | null {
  for (const match of abstract.matchAll(/https?:\/\/[^\s<>"]+/gi)) {
    const url = toHttpsUrl(match[0].replace(/[.,;:!?)\]]+$/, ''));
    if (url && new URL(url).hostname.endsWith('.github.io')) return url;
  }
  return null;
}

export interface LinkInput {
  id: string;
  title: string;
  code: string | null;
  project: string | null;
}

/** The links of one paper; arXiv links only when the id is an arXiv id. */
export function buildLinks({ id, title, code, project }: LinkInput): PaperLinks {
  if (isArxivId(id)) {
    return {
      paper: `${HF_ORIGIN}/papers/${id}`,
      arxiv: `https://arxiv.org/abs/${id}`,
      pdf: `https://arxiv.org/pdf/${id}`,
      code,
      project,
    };
  }
  return {
    paper: `${HF_ORIGIN}/papers?q=${encodeURIComponent(title)}`,
    arxiv: null,
    pdf: null,
    code,
    project,
  };
}
