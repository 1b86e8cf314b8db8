import type { z } from 'zod';

/** `[3].paper.title`: the path a person needs to find a field in a JSON file. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return out.replace(/^\./, '') || '(top level)';
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

/** One zod issue as `<path>: expected a string`, with the path prefixed by `prefix`. */
export function formatZodIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[] = [],
): string {
  const path = formatJsonPath([...prefix, ...issue.path]);
  if (issue.code === 'invalid_type') {
    const expected = ARTICLE[issue.expected] ?? issue.expected;
    return `${path}: expected ${expected}`;
  }
  return `${path}: ${issue.message}`;
}
