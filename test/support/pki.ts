// Certificates for the TLS tests, made with src/pki as a lab makes them: the controllers'
// authority (members), the transport nodes' (switches), and a rogue one nobody trusts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAuthority, issueCertificate, type Authority } from '../../src/pki/index.ts';

export interface Holder {
  name: string;
  key: string;
  cert: string;
}

export interface TestPki {
  controllers: Authority;
  nodes: Authority;
  rogue: Authority;
  /** A certificate of `authority` for `name` (its common name), valid for 127.0.0.1. */
  issue(authority: Authority, name: string): Promise<Holder>;
}

export async function makeTestPki(): Promise<TestPki> {
  const [controllers, nodes, rogue] = await Promise.all([
    createAuthority('test controllers CA'),
    createAuthority('test nodes CA'),
    createAuthority('rogue CA'),
  ]);
  return {
    controllers,
    nodes,
    rogue,
    async issue(authority, name) {
      const pair = await issueCertificate(authority, { commonName: name, ips: ['127.0.0.1'] });
      return { name, key: pair.privateKey, cert: pair.certificate };
    },
  };
}

/** Writes a holder's key and certificate and the authority it trusts into `dir`, for OVS's
 *  --private-key, --certificate and --ca-cert (or ovs-vsctl set-ssl); returns the paths. */
export async function writeHolder(dir: string, holder: Holder, trusts: Authority): Promise<{ key: string; cert: string; ca: string }> {
  const paths = {
    key: join(dir, `${holder.name}-key.pem`),
    cert: join(dir, `${holder.name}-cert.pem`),
    ca: join(dir, `${holder.name}-ca.pem`),
  };
  await Promise.all([
    writeFile(paths.key, holder.key, { mode: 0o600 }),
    writeFile(paths.cert, holder.cert),
    writeFile(paths.ca, trusts.certificate),
  ]);
  return paths;
}
