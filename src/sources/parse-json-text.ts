import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { PaperboyError } from '../errors.js';

const READABLE: Record<string, string> = {
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  CloseBracketExpected: "expected ',' or ']'",
  CloseBraceExpected: "expected ',' or '}'",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  EndOfFileExpected: 'unexpected text after the JSON value',
  UnexpectedEndOfString: 'a string is not closed',
  InvalidSymbol: 'unexpected character',
  InvalidCommentToken: 'comments are not allowed in JSON',
};

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * JSON.parse, but a syntax error names the line and column (Node 20's own messages often give
 * neither). `label` is the file or URL the text came from.
 */
export function parseJsonText(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const where = first ? lineAndColumn(text, first.offset) : { line: 1, column: 1 };
    const code = first ? printParseErrorCode(first.error) : 'InvalidSymbol';
    throw new PaperboyError(
      'invalidInput',
      `${label}:${where.line}:${where.column}: malformed JSON: ${READABLE[code] ?? code}`,
    );
  }
}
