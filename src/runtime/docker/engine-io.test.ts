import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { privateDirs, tarOf } from './engine-io.ts';

async function entries(tar: Buffer): Promise<{ name: string; type: string; mode: number }[]> {
  const out: { name: string; type: string; mode: number }[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      out.push({ name: header.name, type: header.type ?? 'file', mode: header.mode ?? 0 });
      stream.on('end', next);
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
  return out;
}

describe('node files', () => {
  const files = [
    { path: '/etc/nvlab/pki/key.pem', content: 'k', mode: 0o600 },
    { path: '/etc/nvlab/pki/cert.pem', content: 'c', mode: 0o600 },
    { path: '/etc/nvlab/api-token', content: 't', mode: 0o600 },
    { path: '/opt/nvlab/console/index.html', content: '<html>' },
    { path: '/opt/nvlab/secret', content: 's', mode: 0o600 },
  ];

  it('makes a directory of private files only 0700, and leaves one with a public file alone', () => {
    expect(privateDirs(files)).toEqual(['/etc/nvlab', '/etc/nvlab/pki']);
  });

  it('puts those directories in the archive before the files, with their modes', async () => {
    const got = await entries(await tarOf(files));
    expect(got.slice(0, 2)).toEqual([
      { name: 'etc/nvlab', type: 'directory', mode: 0o700 },
      { name: 'etc/nvlab/pki', type: 'directory', mode: 0o700 },
    ]);
    expect(got.find((e) => e.name === 'etc/nvlab/pki/key.pem')).toMatchObject({ type: 'file', mode: 0o600 });
    expect(got.find((e) => e.name === 'opt/nvlab/console/index.html')).toMatchObject({ mode: 0o644 });
  });
});
