/**
 * The one error the expression language throws: what went wrong, in which expression, and
 * where (a 0-based offset into the text that was parsed, a whole template for `{{ }}` text).
 * Everything else thrown while evaluating is a bug and is wrapped, never leaked.
 */

/** A syntax or evaluation error in an expression. */
export class ExpressionError extends Error {
  override name = "ExpressionError";
  /** The reason alone, without the expression and position. */
  readonly reason: string;
  /** The text that holds the expression (a bare expression or a whole template). */
  readonly expression: string;
  /** 0-based offset of the offending token in `expression`. */
  readonly position: number;

  constructor(reason: string, expression: string, position: number) {
    super(`${reason} (at column ${position + 1} of ${quote(expression)})`);
    this.reason = reason;
    this.expression = expression;
    this.position = position;
  }
}

const quote = (text: string): string => JSON.stringify(text.length > 200 ? `${text.slice(0, 197)}...` : text);

/** True for an {@link ExpressionError}. */
export const isExpressionError = (error: unknown): error is ExpressionError =>
  error instanceof ExpressionError;
