// OVS remote strings: active `tcp:IP[:PORT]`, `ssl:IP[:PORT]`, `unix:PATH`, passive
// `ptcp:[PORT][:IP]`, `pssl:[PORT][:IP]`, `punix:PATH`, parsed and formatted as OVS spells them.
import { OvsdbRemoteError } from './errors.ts';

export const DEFAULT_PORT = 6640;

export type ActiveRemote = { kind: 'tcp' | 'ssl'; host: string; port: number } | { kind: 'unix'; path: string };
export type PassiveRemote = { kind: 'ptcp' | 'pssl'; port: number; host?: string } | { kind: 'punix'; path: string };
export type Remote = ActiveRemote | PassiveRemote;

const METHODS = 'tcp, ssl, unix, ptcp, pssl, punix';

export const isActive = (r: Remote): r is ActiveRemote => r.kind === 'tcp' || r.kind === 'ssl' || r.kind === 'unix';
/** ssl: and pssl: remotes, which need TLS credentials. */
export const isSecure = (r: Remote): boolean => r.kind === 'ssl' || r.kind === 'pssl';

function parsePort(s: string, remote: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new OvsdbRemoteError(`bad port "${s}" in remote "${remote}"`);
  return n;
}

/** Splits `HOST[:PORT]`, accepting `[v6addr]:PORT`. */
function splitHostPort(s: string, remote: string): { host: string; port?: string } {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) throw new OvsdbRemoteError(`unterminated IPv6 address in "${remote}"`);
    const rest = s.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new OvsdbRemoteError(`bad remote "${remote}"`);
    return rest === '' ? { host: s.slice(1, end) } : { host: s.slice(1, end), port: rest.slice(1) };
  }
  const i = s.lastIndexOf(':');
  return i < 0 ? { host: s } : { host: s.slice(0, i), port: s.slice(i + 1) };
}

/** Parses an OVS remote string: tcp:IP[:PORT], ssl:IP[:PORT], unix:PATH, ptcp:[PORT][:IP],
 *  pssl:[PORT][:IP], punix:PATH. */
export function parseRemote(remote: string): Remote {
  const colon = remote.indexOf(':');
  if (colon < 0) throw new OvsdbRemoteError(`remote "${remote}" has no method (${METHODS})`);
  const method = remote.slice(0, colon);
  const rest = remote.slice(colon + 1);
  switch (method) {
    case 'tcp':
    case 'ssl': {
      const { host, port } = splitHostPort(rest, remote);
      if (!host) throw new OvsdbRemoteError(`remote "${remote}" has no host`);
      return { kind: method, host, port: port === undefined ? DEFAULT_PORT : parsePort(port, remote) };
    }
    case 'unix':
    case 'punix':
      if (!rest) throw new OvsdbRemoteError(`remote "${remote}" has no path`);
      return { kind: method, path: rest };
    case 'ptcp':
    case 'pssl': {
      if (rest === '') return { kind: method, port: DEFAULT_PORT };
      const i = rest.indexOf(':');
      const portStr = i < 0 ? rest : rest.slice(0, i);
      let host = i < 0 ? undefined : rest.slice(i + 1);
      if (host?.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
      const port = portStr === '' ? DEFAULT_PORT : parsePort(portStr, remote);
      return host ? { kind: method, port, host } : { kind: method, port };
    }
    default:
      throw new OvsdbRemoteError(`unknown method "${method}" in remote "${remote}" (expected ${METHODS})`);
  }
}

export function formatRemote(r: Remote): string {
  const h = (host: string) => (host.includes(':') ? `[${host}]` : host);
  switch (r.kind) {
    case 'tcp':
    case 'ssl':
      return `${r.kind}:${h(r.host)}:${r.port}`;
    case 'unix':
    case 'punix':
      return `${r.kind}:${r.path}`;
    case 'ptcp':
    case 'pssl':
      return r.host ? `${r.kind}:${r.port}:${h(r.host)}` : `${r.kind}:${r.port}`;
  }
}
