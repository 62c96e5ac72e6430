import { describe, expect, test } from 'vitest';
import { describeApiAccess } from './api-access.ts';

const DIR = '/var/lib/nvlab/labs/demo';

describe("how a lab's owner reaches its API", () => {
  test('with TLS: HTTPS to every member, checked with the controllers authority, with the token', () => {
    const access = describeApiAccess(DIR, { token: 'tok', ca: '-----BEGIN CERTIFICATE-----' }, ['172.31.42.2', '172.31.42.3']);
    expect(access).toEqual({
      stateDir: DIR,
      tls: true,
      token: 'tok',
      caFile: `${DIR}/controllers-ca.pem`,
      urls: ['https://172.31.42.2:8080', 'https://172.31.42.3:8080'],
      example: `curl --cacert ${DIR}/controllers-ca.pem -H "Authorization: Bearer tok" https://172.31.42.2:8080/api/v1/status`,
    });
  });

  test('without TLS: plain HTTP, the token still required', () => {
    const access = describeApiAccess(DIR, { token: 'tok' }, ['172.31.42.2']);
    expect(access).toMatchObject({ tls: false, urls: ['http://172.31.42.2:8080'] });
    expect(access.example).toBe('curl -H "Authorization: Bearer tok" http://172.31.42.2:8080/api/v1/status');
    expect(access.caFile).toBeUndefined();
  });

  test('without members (external controllers): the token, no API to call', () => {
    expect(describeApiAccess(DIR, { token: 'tok' }, [])).toEqual({ stateDir: DIR, tls: false, token: 'tok', urls: [] });
  });

  test('without state on this host: says so, and claims neither TLS nor a token', () => {
    const access = describeApiAccess(DIR, undefined, ['172.31.42.2']);
    expect(access).toEqual({ stateDir: DIR, urls: [], note: `no token on this host (the lab has no state in ${DIR})` });
  });
});
