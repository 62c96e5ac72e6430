// How requests reach the cluster: the retry rules around one exchange with a member
// (http-exchange.ts): members in turn, no quorum and no answer retried until the deadline. What
// an answer means is outcomes.ts's business.
import { API_PORT } from '../model/index.ts';
import { send, UntrustedCertificateError, type ApiAccess } from './http-exchange.ts';
import { Pacer, pacingOptions, type MemberPace, type PacingOptions, type Signal } from './pacing.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TransportOptions extends ApiAccess {
  /** How long a request may keep retrying, in ms (default 60 s). */
  deadlineMs?: number;
  /** The API's port on every member (default API_PORT). */
  port?: number;
  /** How long a member that answers "no quorum" is asked again before that is the outcome
   *  (default 5 s: an election on a loaded host can take seconds; never beyond the deadline). */
  noQuorumMs?: number;
  /** How the client paces itself on the members' answers (pacing.ts; default PACING). */
  pacing?: Partial<PacingOptions>;
}

/** What one request came to, after its retries. */
export type Exchange =
  /** A member's final answer: any status but 503, the body parsed when it is JSON. */
  | { kind: 'answer'; status: number; text: string; json: unknown }
  /** A DELETE answered 404 after an attempt of unknown outcome: that attempt deleted it. */
  | { kind: 'deleted-before' }
  /** The deadline passed; `last` says what the last attempt met ("<ip>: <body or error>"), and
   *  `noQuorum` holds the body of its 503 when it got one. `untrusted`: at once, since a member's
   *  certificate is not of the authority this client trusts. */
  | { kind: 'gave-up'; last: string; noQuorum: { body: unknown } | undefined; untrusted?: true };

/** One member asked once: its port, how long it may stay silent (default: what `pace` says of
 *  it, else 2 s), and the client's access. */
export interface MemberOptions extends ApiAccess {
  port?: number;
  timeoutMs?: number;
  /** The member's pace, told what the answer took. */
  pace?: MemberPace;
}

/** A member on the management LAN accepts a connection at once; one that does not within this
 *  is down or cut off (its answer may still take up to the request's time-out once connected). */
const CONNECT_TIMEOUT_MS = 1500;

/** One request to one member, not retried: an answer, or what kept it from coming. */
export function exchangeOnce(ip: string, method: Method, path: string, options: MemberOptions = {}): Promise<Exchange> {
  return onceTransport(ip, options).exchange(method, path);
}

export interface Transport {
  exchange(method: Method, path: string, body?: unknown): Promise<Exchange>;
  /** The pacing of a client of the cluster (its batch sizes); none for one member asked once. */
  pacer?: Pacer;
}

/** One member, asked once per request: its answer, or what kept it from coming. */
export function onceTransport(ip: string, options: MemberOptions = {}): Transport {
  return {
    async exchange(method, path, body) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      try {
        const port = options.port ?? API_PORT;
        const { status, text, silenceMs } = await send({
          ip,
          port,
          method,
          path,
          body: payload,
          timeoutMs: options.timeoutMs ?? options.pace?.timeoutMs() ?? 2000,
          access: options,
        });
        options.pace?.answered(silenceMs);
        return { kind: 'answer', status, text, json: text ? JSON.parse(text) : undefined };
      } catch (error) {
        return gaveUp(ip, error);
      }
    },
  };
}

const NO_QUORUM_MS = 5000;

function gaveUp(ip: string, error: unknown): Exchange & { kind: 'gave-up' } {
  const last = `${ip}: ${error instanceof Error ? error.message : String(error)}`;
  return {
    kind: 'gave-up',
    last,
    noQuorum: undefined,
    ...(error instanceof UntrustedCertificateError ? { untrusted: true as const } : {}),
  };
}

/** Whether an answer is the API's "no quorum" (503 with that error word). */
function isNoQuorum(status: number, json: unknown): boolean {
  return status === 503 && (json as { error?: unknown } | undefined)?.error === 'no quorum';
}

/**
 * Tries the members in turn, and retries while a member does not answer (or answers something
 * that is not JSON), until the deadline. A member that answers "no quorum" is asked again, alone,
 * for `noQuorumMs` (an election ends within it): every live member would say the same, so the
 * others are not tried, and a dead one would cost a time-out before the reason is known. The
 * member that last answered is asked first next time. Paced (pacing.ts): a member may stay silent
 * as long as its recent answers say it can (at least 5 s; ours say they work every second), so
 * a request a working member is slow to answer is not abandoned and sent again elsewhere, while
 * one that does not connect (1.5 s) or falls silent is left; and the client's requests in flight
 * are bounded by a window the answers widen and narrow.
 */
export function transport(memberIps: readonly string[], options: TransportOptions = {}): Transport {
  let preferred = 0;
  const pacer = new Pacer(pacingOptions(options.pacing));
  /** One attempt on one member, within its pace and a place in the window. */
  const attempt = async (ip: string, method: Method, path: string, payload: string | undefined) => {
    await pacer.window.acquire();
    const started = Date.now();
    let signal: Signal = 'congested';
    try {
      const answer = await send({
        ip,
        port: options.port ?? API_PORT,
        method,
        path,
        body: payload,
        timeoutMs: pacer.member(ip).timeoutMs(),
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        access: options,
      });
      pacer.member(ip).answered(answer.silenceMs);
      if (answer.status !== 503) signal = 'answered';
      return answer;
    } finally {
      pacer.window.release(signal, Date.now() - started);
    }
  };
  return {
    pacer,
    async exchange(method, path, body) {
      const start = Date.now();
      const deadline = start + (options.deadlineMs ?? 60_000);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      // What the last attempt met: every attempt that does not return sets it.
      let last: string;
      let noQuorum: { body: unknown; until: number } | undefined;
      // Whether an attempt before may have committed (503: no quorum, outcome unknown; or no answer).
      let ambiguous = false;
      let at = preferred;
      for (let n = 0; ; n++) {
        // After "no quorum", stay with the member that said it.
        if (n > 0 && !noQuorum) at = (at + 1) % memberIps.length;
        const ip = memberIps[at]!;
        try {
          const { status, text } = await attempt(ip, method, path, payload);
          const json: unknown = text ? JSON.parse(text) : undefined;
          preferred = at;
          if (status === 503) {
            last = `${ip}: ${text}`;
            ambiguous = true;
            if (isNoQuorum(status, json))
              noQuorum = { body: json, until: noQuorum?.until ?? Date.now() + (options.noQuorumMs ?? NO_QUORUM_MS) };
            else noQuorum = undefined;
          } else if (status === 404 && method === 'DELETE' && ambiguous) {
            return { kind: 'deleted-before' };
          } else {
            return { kind: 'answer', status, text, json };
          }
        } catch (error) {
          // Not the lab's authority: every member would say the same, now or later.
          if (error instanceof UntrustedCertificateError) return gaveUp(ip, error);
          last = `${ip}: ${error instanceof Error ? error.message : String(error)}`;
          // The member that said "no quorum" stopped answering: back to trying every member.
          noQuorum = undefined;
          ambiguous = true;
        }
        const now = Date.now();
        if (now > deadline || (noQuorum && now > noQuorum.until)) return { kind: 'gave-up', last, noQuorum };
        await new Promise((r) => setTimeout(r, noQuorum ? 250 : 100));
      }
    },
  };
}
