import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readApiSecrets } from './secrets.ts';

describe("a member's API secrets", () => {
  let dir: string;
  let token: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nvlab-secrets-'));
    token = join(dir, 'api-token');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('will not serve without the token', async () => {
    await expect(readApiSecrets(undefined, token)).rejects.toThrow(/API token \(.*api-token\) cannot be read/);
    await writeFile(token, '\n');
    await expect(readApiSecrets(undefined, token)).rejects.toThrow(/is empty/);
  });

  it('takes the token alone without TLS, and with TLS the key and the certificate with its authority', async () => {
    await writeFile(token, 'secret\n');
    expect(await readApiSecrets(undefined, token)).toEqual({ token: 'secret', credentials: { token: 'secret' } });
    expect(await readApiSecrets({ key: 'KEY\n', cert: 'CERT\n', controllersCa: 'CA\n' }, token)).toEqual({
      token: 'secret',
      tls: { key: 'KEY\n', cert: 'CERT\nCA\n' },
      credentials: { token: 'secret', ca: 'CA\n' },
    });
  });
});
