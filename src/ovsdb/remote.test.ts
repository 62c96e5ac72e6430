import { describe, expect, it } from 'vitest';
import { OvsdbClient } from './client.ts';
import { OvsdbRemoteError } from './errors.ts';
import { OvsdbListener } from './listener.ts';
import { formatRemote, parseRemote } from './remote.ts';
import { ReconnectingSession, connectRemote } from './session.ts';

describe('remotes', () => {
  it('parses active and passive remotes', () => {
    expect(parseRemote('tcp:127.0.0.1:6641')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 6641 });
    expect(parseRemote('tcp:10.0.0.1')).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 6640 });
    expect(parseRemote('tcp:[::1]:6640')).toEqual({ kind: 'tcp', host: '::1', port: 6640 });
    expect(parseRemote('unix:/run/db.sock')).toEqual({ kind: 'unix', path: '/run/db.sock' });
    expect(parseRemote('ptcp:6640')).toEqual({ kind: 'ptcp', port: 6640 });
    expect(parseRemote('ptcp:6640:127.0.0.1')).toEqual({ kind: 'ptcp', port: 6640, host: '127.0.0.1' });
    expect(parseRemote('ptcp:0:[::1]')).toEqual({ kind: 'ptcp', port: 0, host: '::1' });
    expect(parseRemote('punix:/tmp/x.sock')).toEqual({ kind: 'punix', path: '/tmp/x.sock' });
  });

  it('parses ssl: and pssl: as tcp: and ptcp:', () => {
    expect(parseRemote('ssl:1.2.3.4:6640')).toEqual({ kind: 'ssl', host: '1.2.3.4', port: 6640 });
    expect(parseRemote('ssl:10.0.0.1')).toEqual({ kind: 'ssl', host: '10.0.0.1', port: 6640 });
    expect(parseRemote('ssl:[fd00::2]:6653')).toEqual({ kind: 'ssl', host: 'fd00::2', port: 6653 });
    expect(parseRemote('pssl:')).toEqual({ kind: 'pssl', port: 6640 });
    expect(parseRemote('pssl:6641')).toEqual({ kind: 'pssl', port: 6641 });
    expect(parseRemote('pssl:6641:172.31.0.2')).toEqual({ kind: 'pssl', port: 6641, host: '172.31.0.2' });
    expect(parseRemote('pssl::10.0.0.1')).toEqual({ kind: 'pssl', port: 6640, host: '10.0.0.1' });
    expect(parseRemote('pssl:0:[::1]')).toEqual({ kind: 'pssl', port: 0, host: '::1' });
  });

  it('formats what it parses', () => {
    for (const r of ['tcp:127.0.0.1:6641', 'tcp:[::1]:6640', 'unix:/a', 'ptcp:6640', 'ptcp:1:127.0.0.1', 'punix:/b']) {
      expect(formatRemote(parseRemote(r))).toBe(r);
    }
    for (const r of ['ssl:127.0.0.1:6641', 'ssl:[::1]:6640', 'pssl:6640', 'pssl:6641:10.0.0.2', 'pssl:0:[::1]']) {
      expect(formatRemote(parseRemote(r))).toBe(r);
    }
  });

  it('rejects bad remotes with OvsdbRemoteError', () => {
    for (const bad of [
      '',
      '127.0.0.1:6640',
      'tls:1.2.3.4:6640',
      'tcp:',
      'tcp:1.2.3.4:99999',
      'tcp:1.2.3.4:x',
      'unix:',
      'ptcp:abc',
      'tcp:[::1',
      'ssl:',
      'ssl:1.2.3.4:70000',
      'ssl:[::1',
      'pssl:abc',
      'pssl:65536:127.0.0.1',
    ]) {
      expect(() => parseRemote(bad), bad).toThrow(OvsdbRemoteError);
    }
    expect(() => new ReconnectingSession('ptcp:6640')).toThrow(OvsdbRemoteError);
    expect(() => new ReconnectingSession('pssl:6640')).toThrow(OvsdbRemoteError);
    expect(() => OvsdbClient.connect('tcp:127.0.0.1:1', { leaderOnly: true })).toThrow(/leaderOnly needs/);
  });

  it('refuses ssl: and pssl: without TLS credentials, before any socket', async () => {
    expect(() => new ReconnectingSession('ssl:1.2.3.4:6640')).toThrow(/needs TLS credentials/);
    expect(() => OvsdbClient.connect(['tcp:127.0.0.1:6641', 'ssl:127.0.0.1:6642'])).toThrow(OvsdbRemoteError);
    await expect(connectRemote('ssl:127.0.0.1:1')).rejects.toThrow(/"ssl:127.0.0.1:1" needs TLS credentials/);
    await expect(OvsdbListener.listen('pssl:0:127.0.0.1')).rejects.toThrow(OvsdbRemoteError);
    await expect(OvsdbListener.listen('tcp:127.0.0.1:6640')).rejects.toThrow(/not a passive remote/);
  });
});
