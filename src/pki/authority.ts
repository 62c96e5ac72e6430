// Certificate authorities and the certificates they issue, for TLS between parts that trust
// one authority and nothing else. Knows nothing of labs: a caller names the authority and the
// subjects. ECDSA P-256 keys, made by the platform's WebCrypto (a key and a certificate take a
// few milliseconds, so a lab of hundreds of nodes gets its certificates in about a second).
import 'reflect-metadata'; // @peculiar/x509 resolves its parts through tsyringe, which needs it
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600_000;
/** Lab certificates outlive any lab; a year keeps a forgotten lab working. */
const VALID_DAYS = 365;

/** A certificate and its private key, both PEM (the key PKCS#8, as OpenSSL and Node read it). */
export interface KeyPair {
  certificate: string;
  privateKey: string;
}

export interface Authority extends KeyPair {
  /** The authority's subject, e.g. `CN=nvlab demo controllers CA`. */
  subject: string;
}

export interface Subject {
  /** The common name: who holds it (a member, a transport node). */
  commonName: string;
  /** Addresses the holder serves on (subjectAltName IP), for clients that check them. */
  ips?: string[];
  /** Host names (subjectAltName DNS); the common name is always one. */
  dnsNames?: string[];
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pemKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('not a PEM private key');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

function serial(): string {
  // Positive 16-byte serial: the top bit cleared so DER keeps it unsigned.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function validity(now = Date.now()) {
  // An hour back, so a container whose clock trails the host's a little still accepts it.
  return { notBefore: new Date(now - 3600_000), notAfter: new Date(now + VALID_DAYS * DAY_MS) };
}

/** A new self-signed authority named `name` (its common name). */
export async function createAuthority(name: string): Promise<Authority> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: new x509.Name([{ CN: [name] }]),
    ...validity(),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: certificate.toString('pem') + '\n', privateKey: await pemKey(keys.privateKey), subject: certificate.subject };
}

/** What signing with an authority needs, worked out once per authority: a lab issues hundreds
 *  of certificates from one, and parsing its certificate and key each time was a quarter of it. */
interface Signer {
  issuer: x509.X509Certificate;
  signingKey: CryptoKey;
  authorityKeyId: x509.AuthorityKeyIdentifierExtension;
}

const signers = new WeakMap<KeyPair, Promise<Signer>>();

function signerOf(authority: KeyPair): Promise<Signer> {
  let signer = signers.get(authority);
  if (!signer) {
    const issuer = new x509.X509Certificate(authority.certificate);
    signer = Promise.all([importKey(authority.privateKey), x509.AuthorityKeyIdentifierExtension.create(issuer)]).then(
      ([signingKey, authorityKeyId]) => ({ issuer, signingKey, authorityKeyId }),
    );
    signers.set(authority, signer);
  }
  return signer;
}

/**
 * A certificate for `subject`, signed by `authority`, good for both ends of a TLS connection
 * (members and switches are servers to some peers and clients to others).
 */
export async function issueCertificate(authority: KeyPair, subject: Subject): Promise<KeyPair> {
  const [keys, { issuer, signingKey, authorityKeyId }] = await Promise.all([newKeys(), signerOf(authority)]);
  const names: x509.JsonGeneralName[] = [
    ...[...new Set([subject.commonName, ...(subject.dnsNames ?? [])])].map((value) => ({ type: 'dns' as const, value })),
    ...(subject.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: new x509.Name([{ CN: [subject.commonName] }]),
    issuer: issuer.subject,
    ...validity(),
    signingKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      authorityKeyId,
    ],
  });
  return { certificate: certificate.toString('pem') + '\n', privateKey: await pemKey(keys.privateKey) };
}

/** The common name a PEM certificate was issued to. */
export function commonNameOf(certificatePem: string): string | undefined {
  return new x509.X509Certificate(certificatePem).subjectName.getField('CN')[0];
}
