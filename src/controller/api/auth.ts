// Who may call the API: every /api/ route, reads too, wants the lab's token as a bearer token
// (`Authorization: Bearer <token>`), checked before the body is read, so that a client without
// it costs the member no parsing and learns nothing but 401. Only routes registered as open (the
// console's files and the OpenAPI document, which hold no data) are served to anyone; everything
// else, unknown paths included, is refused first.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, AUTH_SCHEME, TOKEN_HOLDER } from '../../model/index.ts';
import type { HttpError } from './errors.ts';

/** The route config of a route anyone may GET (the console's files, the OpenAPI document). */
export const OPEN_ROUTE = { config: { open: true } } as const;

export type Refusal = 'no token' | 'wrong token';

/** Who a request is, as far as the token says: its holder, or why it has none. */
export type Identity = { holder: string; refused?: undefined } | { holder: typeof ANONYMOUS; refused: Refusal };

// Equal-length digests, so the comparison takes the same time whatever was sent.
const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether an `Authorization` header carries `token`, compared in constant time. */
export function identify(header: string | undefined, token: string): Identity {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (!match || match[1]!.toLowerCase() !== AUTH_SCHEME.toLowerCase()) return { holder: ANONYMOUS, refused: 'no token' };
  return timingSafeEqual(digest(match[2]!), digest(token)) ? { holder: TOKEN_HOLDER } : { holder: ANONYMOUS, refused: 'wrong token' };
}

export function unauthorized(refused: Refusal): HttpError {
  return {
    status: 401,
    body: {
      error: 'unauthorized',
      detail:
        refused === 'no token'
          ? `this route needs the lab's API token: Authorization: ${AUTH_SCHEME} <token>`
          : "the API token is not this lab's",
    },
    headers: { 'www-authenticate': AUTH_SCHEME },
  };
}

/** The identity the auth hook gave each request (the audit log's `who.holder`). */
const identities = new WeakMap<FastifyRequest, Identity>();

export const identityOf = (request: FastifyRequest): Identity | undefined => identities.get(request);

/** Whether a request may go on; notes who it is. Open routes let anyone through. */
export function admit(request: FastifyRequest, token: string): Identity | undefined {
  if ((request.routeOptions.config as { open?: boolean } | undefined)?.open) return undefined;
  const who = identify(request.headers.authorization, token);
  identities.set(request, who);
  return who;
}

/** The 401 for a request without the token, or undefined when it may go on: for the paths that
 *  bypass the hooks (fastify answers an undecodable URL without them). */
export function refusalOf(request: FastifyRequest, token: string | undefined): HttpError | undefined {
  if (token === undefined) return undefined;
  const who = identityOf(request) ?? admit(request, token);
  return who?.refused ? unauthorized(who.refused) : undefined;
}

/** Refuses every request without the token, before its body is read. */
export function registerAuth(app: FastifyInstance, token: string, send: (reply: FastifyReply, e: HttpError) => FastifyReply): void {
  app.addHook('onRequest', async (request, reply) => {
    const who = admit(request, token);
    if (who?.refused) return send(reply, unauthorized(who.refused));
  });
}
