// Two hosts on a bridge of the private OVS: network namespaces A (10.77.0.1) and B (10.77.0.2),
// each behind a veth whose host end is an OpenFlow port (1 and 2), with static neighbours so
// that no ARP is needed and only the flows under test decide what passes. Real TCP and UDP from
// the hosts' own stacks, for conntrack and meters (the host has no ping; UDP echo stands in).
import { inNs, NetnsLab } from '../pipeline/netns-nodes.ts';
import type { LocalOvs } from '../../support/local-ovs.ts';

export interface Host {
  ns: string;
  ip: string;
  mac: string;
  ofport: number;
}

export interface TwoHosts {
  a: Host;
  b: Host;
  netns: NetnsLab;
  destroy(): Promise<void>;
}

export type ConnectResult = 'open' | 'refused' | 'filtered';

export async function twoHosts(ovs: LocalOvs, bridge: string): Promise<TwoHosts> {
  const netns = new NetnsLab();
  const a: Host = { ns: await netns.ns('a'), ip: '10.77.0.1', mac: '02:00:00:77:00:01', ofport: 1 };
  const b: Host = { ns: await netns.ns('b'), ip: '10.77.0.2', mac: '02:00:00:77:00:02', ofport: 2 };
  for (const [host, peer] of [
    [a, b],
    [b, a],
  ] as const) {
    const port = `${netns.prefix}h${host.ofport}`;
    await netns.veth({ ns: host.ns, name: 'eth0', mac: host.mac, addr: `${host.ip}/24` }, { name: port });
    await inNs(host.ns, 'ip', 'neigh', 'replace', peer.ip, 'lladdr', peer.mac, 'dev', 'eth0', 'nud', 'permanent');
    await ovs.vsctl('add-port', bridge, port, '--', 'set', 'interface', port, `ofport_request=${host.ofport}`);
  }
  return { a, b, netns, destroy: () => netns.destroy() };
}

/** A TCP server on `port` in the host's namespace that answers "echo <data>". */
export function tcpEchoServer(lab: TwoHosts, host: Host, port: number): void {
  const code = `require('net').createServer((c)=>c.on('data',(d)=>c.end('echo '+d))).listen(${port})`;
  lab.netns.spawn(host.ns, ['node', '-e', code]);
}

/** Connects from `from` to ip:port and sends a line: open (the echo came back), refused (a reset
 *  or an ICMP error), or filtered (no answer in timeoutMs). */
export async function tcpConnect(from: Host, ip: string, port: number, timeoutMs = 2000): Promise<ConnectResult> {
  const code = `
const s=require('net').connect({host:'${ip}',port:${port}});
const done=(r)=>{console.log(r);process.exit(0)};
setTimeout(()=>done('filtered'),${timeoutMs});
s.on('connect',()=>s.write('hi'));
s.on('data',(d)=>done(String(d)==='echo hi'?'open':'bad '+d));
s.on('error',(e)=>done(['ECONNREFUSED','ECONNRESET','EHOSTUNREACH'].includes(e.code)?'refused':'error '+e.code));`;
  const { stdout } = await inNs(from.ns, 'node', '-e', code);
  return stdout.trim() as ConnectResult;
}

/** Waits until the host's own server answers on its loopback, so that a test can tell "filtered"
 *  from "not started yet". */
export async function waitListening(host: Host, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await inNs(
      host.ns,
      'node',
      '-e',
      `require('net').connect(${port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`,
    ).catch(() => undefined);
    if (r) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port} in ${host.ns}`);
}

/** Sends `count` UDP datagrams to ip:port at once. */
export async function udpBurst(from: Host, ip: string, port: number, count: number): Promise<void> {
  const code = `
const s=require('dgram').createSocket('udp4');let left=${count};
for(let i=0;i<${count};i++)s.send('x'+i,${port},'${ip}',()=>{if(--left===0)s.close()});`;
  await inNs(from.ns, 'node', '-e', code);
}

/** UDP datagrams the host's stack has received, to an open port or not (/proc/net/snmp's Udp
 *  InDatagrams + NoPorts): what a burst delivered, whatever else arrives meanwhile. */
export async function udpReceived(host: Host): Promise<number> {
  const lines = (await inNs(host.ns, 'cat', '/proc/net/snmp')).stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  const at = (name: string) => Number(values![names!.indexOf(name)]);
  return at('InDatagrams') + at('NoPorts');
}

/** Frames the host's eth0 has received. */
export async function rxPackets(host: Host): Promise<number> {
  return Number((await inNs(host.ns, 'cat', '/sys/class/net/eth0/statistics/rx_packets')).stdout.trim());
}
