// Validation problems, located: `subscribers.json:14: subscribers[2].topics[1]: unknown topic
// "grpahs" (did you mean "graphs"?)`, so a person can jump to the line and fix it by hand.
import { findNodeAtLocation, type Node, parseTree } from 'jsonc-parser';
import type { z } from 'zod';
import { formatJsonPath } from '../sources/json-path.js';
import { lineAndColumn } from '../sources/parse-json-text.js';
import { isTopicIssue } from './subscriber-schema.js';

export interface Problem {
  path: PropertyKey[];
  message: string;
  /** 1-based, when known. */
  line?: number | null;
  /** An unknown topic id: the config (its topics) may be what needs fixing. */
  topic?: boolean;
}

/** One problem per zod issue; an unknown key is located at the key itself. */
export function problemsFromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
      path.push(issue.keys[0]);
    }
    return { path, message: issue.message, topic: isTopicIssue(issue) };
  });
}

/** Finds the line of a JSON path in `text` (the nearest existing parent for a missing field). */
export function createJsonLineFinder(
  text: string,
): (path: readonly PropertyKey[]) => number | null {
  // Built on the first question only: a syntax tree of a 100,000-subscriber file costs seconds
  // and hundreds of megabytes, and a valid file never needs it.
  let tree: Node | undefined | null = null;
  return (path) => {
    if (tree === null) tree = parseTree(text);
    if (!tree) return null;
    const segments = path.filter(
      (key): key is string | number => typeof key === 'string' || typeof key === 'number',
    );
    for (let length = segments.length; length >= 0; length--) {
      const node: Node | undefined = findNodeAtLocation(tree, segments.slice(0, length));
      if (!node) continue;
      // A property's value may start lines after its key; people look for the key.
      const at = node.parent?.type === 'property' ? node.parent : node;
      return lineAndColumn(text, at.offset).line;
    }
    return null;
  };
}

/** `label:line: path: message`, one per line under a count when there are several. */
export function formatProblems(label: string, problems: readonly Problem[]): string {
  const lines = problems.map((problem) => {
    const where = problem.line ? `${label}:${problem.line}` : label;
    const path = problem.path.length > 0 ? `${formatJsonPath(problem.path)}: ` : '';
    return `${where}: ${path}${problem.message}`;
  });
  if (lines.length === 1) return lines[0] as string;
  return `${label}: ${lines.length} problems:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}
