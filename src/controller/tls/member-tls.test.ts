import { describe, expect, it } from 'vitest';
import { PKI_FILES } from '../../model/index.ts';
import { memberCredentials, readMemberTls, switchCredentials, tlsWanted } from './member-tls.ts';

const files: Record<string, string> = {
  [PKI_FILES.key]: 'KEY',
  [PKI_FILES.certificate]: 'CERT',
  [PKI_FILES.controllersCa]: 'CONTROLLERS CA',
  [PKI_FILES.nodesCa]: 'NODES CA',
};
const read = async (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};

describe("a member's TLS material", () => {
  it('is on with NVLAB_TLS=1 only, off with 0 or unset, and refuses anything else', () => {
    expect(tlsWanted({ NVLAB_TLS: '1' })).toBe(true);
    expect(tlsWanted({ NVLAB_TLS: '0' })).toBe(false);
    expect(tlsWanted({})).toBe(false);
    expect(() => tlsWanted({ NVLAB_TLS: 'yes' })).toThrow('NVLAB_TLS=yes: expected 1 or 0');
  });

  it('is read from PKI_FILES when on, and not at all when off', async () => {
    expect(await readMemberTls({ NVLAB_TLS: '1' }, read)).toEqual({
      key: 'KEY',
      cert: 'CERT',
      controllersCa: 'CONTROLLERS CA',
      nodesCa: 'NODES CA',
    });
    expect(await readMemberTls({ NVLAB_TLS: '0' }, () => Promise.reject(new Error('read')))).toBeUndefined();
    const missing = (path: string) => (path === PKI_FILES.nodesCa ? Promise.reject(new Error('ENOENT')) : read(path));
    await expect(readMemberTls({ NVLAB_TLS: '1' }, missing)).rejects.toThrow(`NVLAB_TLS=1 but ${PKI_FILES.nodesCa} cannot be read`);
  });

  it("gives switches' channels the nodes' authority, and members' channels the controllers' with their names", async () => {
    const tls = (await readMemberTls({ NVLAB_TLS: '1' }, read))!;
    expect(switchCredentials(tls)).toEqual({ key: 'KEY', cert: 'CERT', ca: 'NODES CA' });
    expect(
      memberCredentials(
        tls,
        new Map([
          ['ctrl2', ''],
          ['ctrl3', ''],
        ]).keys(),
      ),
    ).toEqual({
      key: 'KEY',
      cert: 'CERT',
      ca: 'CONTROLLERS CA',
      peerNames: ['ctrl2', 'ctrl3'],
    });
  });
});
