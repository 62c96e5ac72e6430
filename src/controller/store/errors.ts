// Store failures, each a class with a literal `code` the API maps to an HTTP status.
import { NvlabError } from '../../util/errors.ts';

export type StoreErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID' | 'NO_QUORUM';

export interface StoreIssue {
  /** Path into the input, e.g. ['vni'] or ['ports', 0, 'mac']; [] for the whole input. */
  path: (string | number)[];
  message: string;
}

export abstract class StoreError extends NvlabError {
  abstract override readonly code: StoreErrorCode;
}

export class NotFoundError extends StoreError {
  override readonly code = 'NOT_FOUND' as const;
  constructor(
    readonly kind: string,
    readonly key: string,
    options: { cause?: unknown } = {},
  ) {
    super('NOT_FOUND', `${kind} "${key}" not found`, options);
  }
}

/** A clash with what the store holds: a duplicate name, VNI or address, a dangling or live reference, a lost race. */
export class ConflictError extends StoreError {
  override readonly code = 'CONFLICT' as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CONFLICT', message, options);
  }
}

/** A delete or change refused while other objects still refer to the row: the message, then their
 *  names where this member's replica already has them. */
export function stillReferenced(message: string, referrers: readonly { name: string }[]): ConflictError {
  const names = referrers.map((r) => r.name);
  return new ConflictError(`${message}${names.length ? `: ${names.join(', ')}` : ''}`);
}

export class InvalidError extends StoreError {
  override readonly code = 'INVALID' as const;
  constructor(
    message: string,
    readonly issues: StoreIssue[],
    options: { cause?: unknown } = {},
  ) {
    super('INVALID', message, options);
  }
}

/**
 * The member reached cannot commit: it is cut off from a majority of the cluster, or the write
 * did not commit within the store's bound. `applied` says whether the write may still take
 * effect later ('unknown': it reached the server before the bound ran out).
 */
export class StoreUnavailableError extends StoreError {
  override readonly code = 'NO_QUORUM' as const;
  constructor(
    message: string,
    readonly applied: 'no' | 'unknown',
    options: { cause?: unknown } = {},
  ) {
    super('NO_QUORUM', message, options);
  }
}
