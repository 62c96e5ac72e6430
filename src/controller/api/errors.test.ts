import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, InvalidError, NotFoundError, StoreUnavailableError } from '../store/index.ts';
import { toHttpError } from './errors.ts';

describe('API error mapping', () => {
  it('maps store errors to 400, 404, 409 and 503', () => {
    expect(
      toHttpError(
        new InvalidError('bad', [
          { path: ['ports', 0, 'mac'], message: 'a MAC' },
          { path: [], message: 'Unrecognized key: "x"' },
        ]),
      ),
    ).toEqual({
      status: 400,
      body: {
        error: 'invalid',
        detail: 'bad',
        issues: [
          { path: 'ports.0.mac', message: 'a MAC' },
          { path: '', message: 'Unrecognized key: "x"' },
        ],
      },
    });
    expect(toHttpError(new NotFoundError('logical switch', 'web'))).toEqual({
      status: 404,
      body: { error: 'not found', detail: 'logical switch "web" not found' },
    });
    expect(toHttpError(new ConflictError('VNI 5001 is already used'))).toEqual({
      status: 409,
      body: { error: 'conflict', detail: 'VNI 5001 is already used' },
    });
    expect(toHttpError(new StoreUnavailableError('cut off', 'no'))).toEqual({
      status: 503,
      body: { error: 'no quorum', detail: 'cut off', applied: 'no' },
      headers: { 'retry-after': '1' },
    });
  });

  it('maps zod errors and fastify client errors to 4xx, anything else to 500', () => {
    const zerr = z.object({ a: z.string() }).safeParse({}).error!;
    expect(toHttpError(zerr)).toMatchObject({ status: 400, body: { error: 'invalid', issues: [{ path: 'a' }] } });
    const badJson = Object.assign(new Error('Unexpected token } in JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    expect(toHttpError(badJson)).toEqual({
      status: 400,
      body: { error: 'invalid', detail: badJson.message, issues: [{ path: '', message: badJson.message }] },
    });
    expect(toHttpError(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }))).toMatchObject({
      status: 415,
      body: { error: 'unsupported media type' },
    });
    expect(toHttpError(new TypeError('oops'))).toEqual({ status: 500, body: { error: 'internal', detail: 'oops' } });
  });
});
