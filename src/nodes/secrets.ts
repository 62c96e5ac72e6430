// What a lab's nodes carry of its secrets: the files deploy puts into them (their own key and
// certificate, the authorities they trust, the members' API token) and the environment that
// says whether the lab runs TLS. Certificates are issued here, in the kinds' prepare hooks (the
// crypto is asynchronous), so that their specs stay pure.
import type { KeyPair } from '../pki/index.ts';
import type { LabPlan } from '../topology/plan-types.ts';
import type { NodeFile } from '../runtime/runtime.ts';
import { API_TOKEN_FILE, PKI_FILES, TLS_ENV } from '../model/index.ts';

/** What deploy makes for a lab before its nodes (src/app/lab-state.ts keeps it on the host). */
export interface LabSecrets {
  /** The token members ask of every API client (`Authorization: Bearer`), TLS or not. */
  apiToken: string;
  /** The lab's two authorities, when it runs TLS: the controllers' signs members' certificates
   *  (members and switches trust it), the transport nodes' signs switches' (members trust it). */
  authorities?: { controllers: KeyPair; nodes: KeyPair };
}

/** A node a certificate is issued to: its common name is the node's name. */
export interface CertificateHolder {
  name: string;
  mgmtIp: string;
}

/** Each node's files, by node name, as a kind's prepare hook returns them. */
export type FilesByNode = ReadonlyMap<string, NodeFile[]>;

/** Secrets are for root alone, inside the node as on the host. */
const SECRET_MODE = 0o600;
const secret = (path: string, content: string): NodeFile => ({ path, content, mode: SECRET_MODE });

/** The environment entry every lab node gets: whether its control channels run TLS. */
export function tlsEnv(plan: Pick<LabPlan, 'security'>): Record<string, string> {
  return { [TLS_ENV]: plan.security.tls ? '1' : '0' };
}

async function ownPair(authority: KeyPair, holder: CertificateHolder): Promise<NodeFile[]> {
  // The management address too: clients that dial a member by address check it.
  // Loaded when a certificate is first wanted: the x509 library costs ~200 ms to load, which
  // commands and labs without TLS never pay.
  const { issueCertificate } = await import('../pki/index.ts');
  const pair = await issueCertificate(authority, { commonName: holder.name, ips: [holder.mgmtIp] });
  return [secret(PKI_FILES.key, pair.privateKey), secret(PKI_FILES.certificate, pair.certificate)];
}

/** A member's files: the API token always; with TLS its own pair from the controllers'
 *  authority, and both authorities (it hears members and switches). */
export async function memberSecretFiles(secrets: LabSecrets, member: CertificateHolder): Promise<NodeFile[]> {
  const token = secret(API_TOKEN_FILE, `${secrets.apiToken}\n`);
  const ca = secrets.authorities;
  if (!ca) return [token];
  return [
    ...(await ownPair(ca.controllers, member)),
    secret(PKI_FILES.controllersCa, ca.controllers.certificate),
    secret(PKI_FILES.nodesCa, ca.nodes.certificate),
    token,
  ];
}

/** A transport node's files (TLS only): its own pair from the transport nodes' authority, and
 *  the controllers' authority (it talks to members only). */
export async function transportNodeSecretFiles(secrets: LabSecrets, node: CertificateHolder): Promise<NodeFile[]> {
  const ca = secrets.authorities;
  if (!ca) return [];
  return [...(await ownPair(ca.nodes, node)), secret(PKI_FILES.controllersCa, ca.controllers.certificate)];
}

/** `filesOf` for every holder, side by side (a key pair is a few milliseconds of crypto). */
export async function secretFilesByNode<T extends CertificateHolder>(
  holders: readonly T[],
  filesOf: (holder: T) => Promise<NodeFile[]>,
): Promise<FilesByNode> {
  const files = await Promise.all(holders.map(filesOf));
  return new Map(holders.map((h, i) => [h.name, files[i] ?? []]));
}
