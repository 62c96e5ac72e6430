// Maps every failure a route can meet to an HTTP status and a JSON body.
import { z } from 'zod';
import { ConflictError, InvalidError, NotFoundError, StoreUnavailableError } from '../store/index.ts';
import type { ErrorBody as PlainErrorBody, NoQuorumErrorBody, ValidationErrorBody } from '../../model/index.ts';
import { formatIssues } from './schemas.ts';

export type ErrorBody = PlainErrorBody | ValidationErrorBody | NoQuorumErrorBody;

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/** The OpenAPI response of every write: the member answers it within 2 s (at once when it knows
 *  already), and other members would say the same, so clients report it rather than retry. */
export const NO_QUORUM_RESPONSE: [string, string] = [
  'No quorum: a majority of the members is lost or cut off, so the write cannot commit (answered within 2 s; reads still answer from the replica)',
  'NoQuorumError',
];

/** Also serves errors fastify raises itself (bad JSON, wrong media type, body too large). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof InvalidError)
    return { status: 400, body: { error: 'invalid', detail: err.message, issues: formatIssues(err.issues) } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: 'not found', detail: err.message } };
  if (err instanceof ConflictError) return { status: 409, body: { error: 'conflict', detail: err.message } };
  if (err instanceof StoreUnavailableError) {
    return { status: 503, body: { error: 'no quorum', detail: err.message, applied: err.applied }, headers: { 'retry-after': '1' } };
  }
  if (err instanceof z.ZodError) {
    return { status: 400, body: { error: 'invalid', detail: 'invalid request', issues: formatIssues(err.issues) } };
  }
  const e = err as { statusCode?: unknown; message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 400) return { status: 400, body: { error: 'invalid', detail: message, issues: [{ path: '', message }] } };
    return { status: e.statusCode, body: { error: REASONS[e.statusCode] ?? 'bad request', detail: message } };
  }
  return { status: 500, body: { error: 'internal', detail: message } };
}

const REASONS: Record<number, string> = {
  404: 'not found',
  405: 'method not allowed',
  406: 'not acceptable',
  413: 'payload too large',
  415: 'unsupported media type',
};
