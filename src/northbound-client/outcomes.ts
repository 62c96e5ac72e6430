// What an answer of the northbound API means, as a value the caller can branch on: success with
// the value (parsed by the resource's schema), or one of the failures the contract names.
import { z } from 'zod';
import {
  ErrorSchema,
  NO_QUORUM_MESSAGE,
  NoQuorumErrorSchema,
  UNAUTHORIZED_MESSAGE,
  ValidationErrorSchema,
  type Issue,
} from '../model/index.ts';
import { NorthboundError } from './errors.ts';
import type { Exchange, Method } from './transport.ts';

/** Every way a request can fail. `message` is the failure as people read it: the request, the
 *  status and the body the member sent, or what the last attempt met. */
export type Failure =
  /** 400: the body broke the resource's schema; every issue with its path. */
  | { kind: 'invalid'; detail: string; issues: Issue[]; message: string }
  /** 404: no such object, or one the body refers to does not exist. */
  | { kind: 'not-found'; detail: string; message: string }
  /** 409: a clash with the store (duplicate name, VNI, MAC or IP, an object in use...). */
  | { kind: 'conflict'; detail: string; message: string }
  /** 503 "no quorum" (from the member asked, for `noQuorumMs`): the cluster has no quorum; the
   *  message begins with NO_QUORUM_MESSAGE. `applied: 'unknown'` means the last write reached
   *  the store and may still commit. */
  | { kind: 'no-quorum'; applied: 'no' | 'unknown'; detail: string; message: string }
  /** 401: the request came without the lab's token, or with another; the message begins with
   *  UNAUTHORIZED_MESSAGE. Not retried. */
  | { kind: 'unauthorized'; detail: string; message: string }
  /** No member answered until the deadline, or one showed a certificate of another authority
   *  than the lab's (said at once). */
  | { kind: 'unreachable'; message: string }
  /** Any other answer (500, 405, 413, 415...), or a success whose body is outside the contract. */
  | { kind: 'failed'; status: number; message: string };

export type SuccessKind = 'ok' | 'created';

/** Success with the value (of kind `K`: 'created' for a POST), or a failure. */
export type Outcome<T, K extends SuccessKind = 'ok'> = { kind: K; value: T } | Failure;

/** The value of a successful outcome; any failure is thrown as a NorthboundError. */
export function unwrap<T>(outcome: Outcome<T, SuccessKind>): T {
  if ('value' in outcome) return outcome.value;
  throw new NorthboundError(outcome.message, { outcome });
}

/** The schema of an answer without a body (a DELETE's 204). */
export const NO_BODY = z.unknown().transform((): undefined => undefined);

/** The `detail` of an error body, or the raw text when the body is not one. */
function detailOf(json: unknown, text: string): string {
  const body = ErrorSchema.safeParse(json);
  return body.success ? body.data.detail : text;
}

function failure(status: number, json: unknown, text: string, message: string): Failure {
  switch (status) {
    case 400: {
      const body = ValidationErrorSchema.safeParse(json);
      return body.success
        ? { kind: 'invalid', detail: body.data.detail, issues: body.data.issues, message }
        : { kind: 'invalid', detail: text, issues: [], message };
    }
    case 401:
      return { kind: 'unauthorized', detail: detailOf(json, text), message };
    case 404:
      return { kind: 'not-found', detail: detailOf(json, text), message };
    case 409:
      return { kind: 'conflict', detail: detailOf(json, text), message };
    case 503: {
      // A body outside the contract says nothing of the write: assume the worse.
      const body = NoQuorumErrorSchema.safeParse(json);
      return { kind: 'no-quorum', applied: body.success ? body.data.applied : 'unknown', detail: detailOf(json, text), message };
    }
    default:
      return { kind: 'failed', status, message };
  }
}

/** What a request came to: `success` names a 2xx answer ('created' for a POST), whose body
 *  `schema` parses into the value. */
export function outcomeOf<S extends z.ZodType, K extends SuccessKind>(
  method: Method,
  path: string,
  exchange: Exchange,
  success: K,
  schema: S,
): Outcome<z.output<S>, K> {
  if (exchange.kind === 'gave-up') {
    if (exchange.untrusted)
      return { kind: 'unreachable', message: `controller cluster is not the lab's: for ${method} ${path}, ${exchange.last}` };
    if (!exchange.noQuorum)
      return { kind: 'unreachable', message: `controller cluster did not answer ${method} ${path}: ${exchange.last}` };
    return failure(503, exchange.noQuorum.body, exchange.last, `${NO_QUORUM_MESSAGE} (${method} ${path}: ${exchange.last})`);
  }
  const answer = exchange.kind === 'deleted-before' ? { status: 204, text: '', json: undefined } : exchange;
  const { status, text, json } = answer;
  if (status < 200 || status >= 300) {
    const said = `${method} ${path} → ${status}: ${text}`;
    const known = NoQuorumErrorSchema.safeParse(json).success ? NO_QUORUM_MESSAGE : status === 401 ? UNAUTHORIZED_MESSAGE : undefined;
    return failure(status, json, text, known ? `${known} (${said})` : said);
  }
  const value = schema.safeParse(json);
  if (value.success) return { kind: success, value: value.data };
  const issues = value.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return { kind: 'failed', status, message: `${method} ${path} → ${status}: an answer outside the API's contract (${issues}): ${text}` };
}
