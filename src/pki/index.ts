// Certificate authorities and certificates for TLS (see authority.ts).
export * from './authority.ts';
