// A member's TLS material (TLS_ENV=1: the lab put PKI_FILES into its container) and which of it
// each control channel uses. Switches' channels (OVSDB managers, OpenFlow) trust the transport
// nodes' authority only; member-to-member channels (the store, its Raft port, liveness) trust the
// controllers' only and take members by name, so a switch's certificate opens none of them.
import { readFile } from 'node:fs/promises';
import { PKI_FILES, TLS_ENV } from '../../model/index.ts';
import type { TlsCredentials } from '../../util/tls.ts';

export interface MemberTls {
  key: string;
  /** The member's certificate: its common name is the member's name. */
  cert: string;
  controllersCa: string;
  nodesCa: string;
}

/** Whether the environment asks for TLS: `1` on, `0` or unset off; anything else is a mistake. */
export function tlsWanted(env: NodeJS.ProcessEnv): boolean {
  const value = env[TLS_ENV] ?? '';
  if (value !== '' && value !== '0' && value !== '1') throw new Error(`${TLS_ENV}=${value}: expected 1 or 0`);
  return value === '1';
}

/** The member's TLS material when TLS is on, read from PKI_FILES; undefined when it is off. */
export async function readMemberTls(
  env: NodeJS.ProcessEnv,
  read = (path: string) => readFile(path, 'utf8'),
): Promise<MemberTls | undefined> {
  if (!tlsWanted(env)) return undefined;
  const file = (path: string) =>
    read(path).catch((cause: unknown) => Promise.reject(new Error(`${TLS_ENV}=1 but ${path} cannot be read`, { cause })));
  const [key, cert, controllersCa, nodesCa] = await Promise.all([
    file(PKI_FILES.key),
    file(PKI_FILES.certificate),
    file(PKI_FILES.controllersCa),
    file(PKI_FILES.nodesCa),
  ]);
  return { key, cert, controllersCa, nodesCa };
}

/** Transport nodes' channels to this member (OVSDB managers, OpenFlow): their authority only. */
export function switchCredentials(tls: MemberTls): TlsCredentials {
  return { key: tls.key, cert: tls.cert, ca: tls.nodesCa };
}

/** Channels between members (liveness, the store): the controllers' authority only, and a peer
 *  only when its certificate names one of `members`. */
export function memberCredentials(tls: MemberTls, members: Iterable<string>): TlsCredentials {
  return { key: tls.key, cert: tls.cert, ca: tls.controllersCa, peerNames: [...members] };
}
