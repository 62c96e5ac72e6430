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
      ...(this.syntax !== undefined ? { syntax: JSON.stringify(sortedKeys(this.syntax)) } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
      error: this.error,
    };
  }
}

export const syntaxError = (details: string, syntax?: unknown) => new OpError('syntax error', details, syntax);
export const constraintViolation = (details: string) => new OpError('constraint violation', details);

/** A JSON value with its objects' keys in order, as ovsdb-server prints the offending JSON. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}
