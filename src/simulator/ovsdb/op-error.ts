// An operation's failure as ovsdb-server reports it in a transact result (or as a request's
// error): `{"error": <tag>, "details": <text>, "syntax": <the offending JSON, as text>}`.

export class OpError extends Error {
  constructor(
    readonly error: string,
    readonly details?: string,
    readonly syntax?: unknown,
  ) {
    super(details ? `${error}: ${details}` : error);
  }

  toJson(): Record<string, string> {
    return {
      ...(this.syntax !== undefined ? { syntax: JSON.stringify(this.syntax) } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
      error: this.error,
    };
  }
}

export const syntaxError = (details: string, syntax?: unknown) => new OpError('syntax error', details, syntax);
export const constraintViolation = (details: string) => new OpError('constraint violation', details);
