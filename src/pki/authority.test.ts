import { createServer, connect, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commonNameOf, createAuthority, issueCertificate } from './authority.ts';

/** One TLS handshake between a server and a client holding these pairs; what each end saw. */
async function handshake(server: { key: string; cert: string; ca: string }, client: { key: string; cert: string; ca: string }) {
  const peers: string[] = [];
  const srv = createServer({ ...server, requestCert: true, rejectUnauthorized: true }, (socket) => {
    peers.push(String((socket as TLSSocket).getPeerCertificate().subject?.CN));
    socket.end();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  try {
    return await new Promise<{ serverSaw: string[]; clientSaw?: string; error?: string }>((resolve) => {
      const socket = connect({ ...client, host: '127.0.0.1', port, checkServerIdentity: () => undefined });
      socket.on('secureConnect', () => {
        const clientSaw = String(socket.getPeerCertificate().subject?.CN);
        socket.on('close', () => resolve({ serverSaw: peers, clientSaw }));
      });
      socket.on('error', (error) => resolve({ serverSaw: peers, error: error.message }));
      socket.resume();
    });
  } finally {
    srv.close();
  }
}

describe('pki', () => {
  it('issues certificates that the authority verifies, with the common name and addresses asked for', async () => {
    const ca = await createAuthority('test controllers CA');
    const pair = await issueCertificate(ca, { commonName: 'ctrl1', ips: ['10.0.0.2'] });
    const cert = new X509Certificate(pair.certificate);
    expect(cert.verify(new X509Certificate(ca.certificate).publicKey)).toBe(true);
    expect(cert.checkIP('10.0.0.2')).toBe('10.0.0.2');
    expect(cert.checkHost('ctrl1')).toBe('ctrl1');
    expect(commonNameOf(pair.certificate)).toBe('ctrl1');
    expect(new X509Certificate(ca.certificate).ca).toBe(true);
    expect(cert.ca).toBe(false);
  });

  it('lets two holders of one authority talk over TLS, each seeing the other by name', async () => {
    const ca = await createAuthority('lab CA');
    const [a, b] = await Promise.all([issueCertificate(ca, { commonName: 'ctrl1' }), issueCertificate(ca, { commonName: 'hv1' })]);
    const result = await handshake(
      { key: a.privateKey, cert: a.certificate, ca: ca.certificate },
      { key: b.privateKey, cert: b.certificate, ca: ca.certificate },
    );
    expect(result).toEqual({ serverSaw: ['hv1'], clientSaw: 'ctrl1' });
  });

  it('refuses a holder of another authority', async () => {
    const [ca, rogue] = await Promise.all([createAuthority('lab CA'), createAuthority('rogue CA')]);
    const [a, b] = await Promise.all([issueCertificate(ca, { commonName: 'ctrl1' }), issueCertificate(rogue, { commonName: 'hv1' })]);
    const result = await handshake(
      { key: a.privateKey, cert: a.certificate, ca: ca.certificate },
      { key: b.privateKey, cert: b.certificate, ca: ca.certificate },
    );
    // TLS 1.3: the client may finish its side before the server refuses its certificate; the
    // server never accepts the connection.
    expect(result.serverSaw).toEqual([]);
    const reverse = await handshake(
      { key: b.privateKey, cert: b.certificate, ca: ca.certificate },
      { key: a.privateKey, cert: a.certificate, ca: ca.certificate },
    );
    expect(reverse.error).toMatch(/self-signed|unable to (get|verify)/);
  });
});
