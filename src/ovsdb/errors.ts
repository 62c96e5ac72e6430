// Every failure of the OVSDB library is one of these classes, each with a literal `code`, so
// callers can branch with `err.code === 'OVSDB_TRANSACTION'` or `instanceof`.
import { NvlabError } from '../util/errors.ts';

export type OvsdbErrorCode =
  | 'OVSDB_FRAMING'
  | 'OVSDB_PROTOCOL'
  | 'OVSDB_RPC'
  | 'OVSDB_TRANSACTION'
  | 'OVSDB_CONNECTION'
  | 'OVSDB_TIMEOUT'
  | 'OVSDB_REMOTE'
  | 'OVSDB_SCHEMA'
  | 'OVSDB_DATA';

export abstract class OvsdbError extends NvlabError {
  abstract override readonly code: OvsdbErrorCode;
}

/** The byte stream is not a sequence of JSON values (bad syntax, stray bytes, oversized value). */
export class OvsdbFramingError extends OvsdbError {
  override readonly code = 'OVSDB_FRAMING' as const;
  constructor(
    message: string,
    readonly reason: 'syntax' | 'unexpected-byte' | 'too-large' | 'truncated',
    options: { cause?: unknown } = {},
  ) {
    super('OVSDB_FRAMING', message, options);
  }
}

/** A JSON value that is not a valid JSON-RPC 1.0 message, or a reply we did not ask for. */
export class OvsdbProtocolError extends OvsdbError {
  override readonly code = 'OVSDB_PROTOCOL' as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('OVSDB_PROTOCOL', message, options);
  }
}

/** The server answered a request with a JSON-RPC error (e.g. "unknown database", "not supported"). */
export class OvsdbRpcError extends OvsdbError {
  override readonly code = 'OVSDB_RPC' as const;
  constructor(
    readonly method: string,
    readonly error: unknown,
  ) {
    super('OVSDB_RPC', `${method} failed: ${describeRpcError(error)}`);
  }
  /** The OVSDB error string when the server sent `{"error": "...", "details": "..."}` or a string. */
  get errorString(): string | undefined {
    if (typeof this.error === 'string') return this.error;
    if (this.error && typeof this.error === 'object' && typeof (this.error as { error?: unknown }).error === 'string') {
      return (this.error as { error: string }).error;
    }
    return undefined;
  }
}

/**
 * A transact whose operations did not all succeed. `error` is the RFC 7047 error string
 * ("constraint violation", "timed out", "aborted", "not owner", "referential integrity violation", ...);
 * `index` is the failing operation, or `operationCount` when the commit itself failed.
 */
export class OvsdbTransactionError extends OvsdbError {
  override readonly code = 'OVSDB_TRANSACTION' as const;
  constructor(
    readonly error: string,
    readonly details: string | undefined,
    readonly index: number,
    readonly results: readonly unknown[],
  ) {
    super('OVSDB_TRANSACTION', `transaction failed at operation ${index}: ${error}${details ? ` (${details})` : ''}`);
  }
}

/** Not connected, connection lost while a request was outstanding, or connect failed. */
export class OvsdbConnectionError extends OvsdbError {
  override readonly code = 'OVSDB_CONNECTION' as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('OVSDB_CONNECTION', message, options);
  }
}

export class OvsdbTimeoutError extends OvsdbError {
  override readonly code = 'OVSDB_TIMEOUT' as const;
  constructor(message: string) {
    super('OVSDB_TIMEOUT', message);
  }
}

/** A remote string such as `tcp:1.2.3.4:6640` that does not parse. */
export class OvsdbRemoteError extends OvsdbError {
  override readonly code = 'OVSDB_REMOTE' as const;
  constructor(message: string) {
    super('OVSDB_REMOTE', message);
  }
}

export class OvsdbSchemaError extends OvsdbError {
  override readonly code = 'OVSDB_SCHEMA' as const;
  constructor(
    message: string,
    readonly path: string,
  ) {
    super('OVSDB_SCHEMA', `${path}: ${message}`);
  }
}

/** A JSON value that is not valid OVSDB data (atom, set, map, uuid) or a JS value that cannot be encoded. */
export class OvsdbDataError extends OvsdbError {
  override readonly code = 'OVSDB_DATA' as const;
  constructor(message: string) {
    super('OVSDB_DATA', message);
  }
}

function describeRpcError(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const e = error as { error?: unknown; details?: unknown };
    if (typeof e.error === 'string') return typeof e.details === 'string' ? `${e.error} (${e.details})` : e.error;
  }
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
