import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readApiSecrets, type SecretFiles } from './secrets.ts';

describe("a member's API secrets", () => {
  let dir: string;
  let files: SecretFiles;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nvlab-secrets-'));
    files = {
      token: join(dir, 'api-token'),
      key: join(dir, 'key.pem'),
      certificate: join(dir, 'cert.pem'),
      controllersCa: join(dir, 'ca.pem'),
    };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('will not serve without the token, nor with TLS on without its key, certificate and authority', async () => {
    await expect(readApiSecrets({}, files)).rejects.toThrow(/API token \(.*api-token\) cannot be read/);
    await writeFile(files.token, '\n');
    await expect(readApiSecrets({}, files)).rejects.toThrow(/is empty/);
    await writeFile(files.token, 'secret\n');
    await expect(readApiSecrets({ NVLAB_TLS: '1' }, files)).rejects.toThrow(/TLS key/);
  });

  it('reads the token alone without TLS, and with TLS the key and the certificate with its authority', async () => {
    await writeFile(files.token, 'secret\n');
    expect(await readApiSecrets({ NVLAB_TLS: '0' }, files)).toEqual({ token: 'secret', credentials: { token: 'secret' } });
    await writeFile(files.key, 'KEY\n');
    await writeFile(files.certificate, 'CERT\n');
    await writeFile(files.controllersCa, 'CA\n');
    expect(await readApiSecrets({ NVLAB_TLS: '1' }, files)).toEqual({
      token: 'secret',
      tls: { key: 'KEY\n', cert: 'CERT\nCA\n' },
      credentials: { token: 'secret', ca: 'CA\n' },
    });
  });
});
