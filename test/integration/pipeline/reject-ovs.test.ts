// Reject rules on real ovs-vswitchd processes (two nodes, each a network namespace, a Geneve
// tunnel between them, programmed by the pipeline), answered by the member's RejectResponder on
// the test's controller: a real TCP connect is refused and a real UDP socket gets ICMP port
// unreachable although a listener is there, whether the rule is the destination's ingress (on
// the same node or across the tunnel) or the sender's egress; a port allowed by no rule stays
// filtered (no answer); and a flood of rejected SYNs is answered at the rate limit only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import { hv } from '../../../src/controller/pipeline/test-fixtures.ts';
import { RejectResponder } from '../../../src/controller/reject/index.ts';
import type { LogicalState, StateRule } from '../../../src/model/index.ts';
import type { OpenFlowConnection, OpenFlowController } from '../../../src/openflow/index.ts';
import { until } from '../../support/southbound-node.ts';
import { inNs, NetnsLab, type OvsNode } from './netns-nodes.ts';
import { connectNodes, listenForNodes, plugVms, programNode, teardown } from './programming.ts';

const MAC = { a: '02:00:00:00:00:0a', b: '02:00:00:00:00:0b', c: '02:00:00:00:00:0c' };
const ANY = { cidr: '0.0.0.0/0' };
const rule = (index: number, r: Omit<StateRule, 'index' | 'remote'>): StateRule => ({ index, remote: ANY, ...r });
const lab: LogicalState = {
  nodes: [hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2')],
  switches: [{ name: 'web', vni: 100, replication: 'source', encap: 'geneve' }],
  ports: [
    { name: 'web-a', switch: 'web', mac: MAC.a, ip: '10.0.1.10', node: 'hv1', securityGroups: ['client'], portSecurity: true },
    { name: 'web-b', switch: 'web', mac: MAC.b, ip: '10.0.1.11', node: 'hv1', securityGroups: ['server'], portSecurity: true },
    { name: 'web-c', switch: 'web', mac: MAC.c, ip: '10.0.1.12', node: 'hv2', securityGroups: ['server'], portSecurity: true },
  ],
  securityGroups: [
    // The sender's own egress rejects TCP 8080.
    { name: 'client', rules: [rule(0, { direction: 'egress', protocol: 'tcp', ports: { min: 8080, max: 8080 }, action: 'reject' })] },
    {
      name: 'server',
      rules: [
        rule(0, { direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 }, action: 'reject' }),
        rule(1, { direction: 'ingress', protocol: 'udp', ports: { min: 53, max: 53 }, action: 'reject' }),
        rule(2, { direction: 'ingress', protocol: 'tcp', ports: { min: 81, max: 81 }, action: 'allow' }),
        rule(3, { direction: 'ingress', protocol: 'tcp', ports: { min: 8080, max: 8080 }, action: 'allow' }),
      ],
    },
  ],
};

const net = new NetnsLab();
let sessions: NodeSessions;
let controller: OpenFlowController;
const nodes = new Map<string, OvsNode>();
const switches = new Map<string, OpenFlowConnection>();
const vms = new Map<string, string>();
const responder = new RejectResponder();

type Outcome = 'open' | 'refused' | 'filtered';

/** A real connection from a VM's namespace, as the scenario's connect step makes it. */
async function connect(from: string, ip: string, proto: 'tcp' | 'udp', port: number): Promise<Outcome> {
  const code =
    proto === 'tcp'
      ? `const s=require('net').connect({host:'${ip}',port:${port}});const done=(o)=>{console.log(o);process.exit(0)};
s.on('connect',()=>done('open'));s.on('error',(e)=>done(e.code==='ECONNREFUSED'?'refused':'error '+e.code));setTimeout(()=>done('filtered'),1500);`
      : `const s=require('dgram').createSocket('udp4');const done=(o)=>{console.log(o);process.exit(0)};
s.on('message',()=>done('open'));s.on('error',(e)=>done(e.code==='ECONNREFUSED'?'refused':'error '+e.code));
s.connect(${port},'${ip}',()=>{let n=0;const go=()=>{if(n++<5){s.send('x',()=>{});setTimeout(go,200)}};go()});setTimeout(()=>done('filtered'),1500);`;
  const { stdout } = await inNs(vms.get(from)!, 'node', '-e', code);
  return stdout.trim() as Outcome;
}

/** TCP listeners on 80, 81 and 8080 and a UDP echo on 53: a refusal is the reject's, not a closed port's. */
function listeners(name: string): void {
  net.spawn(vms.get(name)!, [
    'node',
    '-e',
    `for(const p of [80,81,8080])require('net').createServer((c)=>c.end()).listen(p);
const u=require('dgram').createSocket('udp4');u.on('message',(m,r)=>u.send(m,r.port,r.address));u.bind(53);`,
  ]);
}

beforeAll(async () => {
  const listening = await listenForNodes(net);
  ({ sessions, controller } = listening);
  responder.attach(controller);
  const { base } = listening;
  for (const [i, name] of ['hv1', 'hv2'].entries()) {
    const mine = lab.ports.filter((p) => p.node === name);
    nodes.set(name, await net.node(name, { ...base, underlayIp: `192.0.2.${i + 1}`, dpid: BigInt(0x7e01 + i) }, plugVms(net, mine, vms)));
  }
  const programmer = { lab, sessions, nodes, switches };
  await connectNodes(programmer, controller);
  for (const name of nodes.keys()) await programNode(programmer, name);
  for (const p of lab.ports)
    for (const q of lab.ports) if (p !== q) await inNs(vms.get(p.name)!, 'ip', 'neigh', 'replace', q.ip!, 'lladdr', q.mac, 'dev', 'eth0');
  listeners('web-b');
  listeners('web-c');
  await until('web-c listens', async () => (await connect('web-a', '10.0.1.12', 'tcp', 81)) === 'open');
}, 120_000);

afterAll(() => teardown(net, controller, sessions));

describe('reject rules on real OVS', () => {
  it('refuses a TCP connection by an ingress reject, across the tunnel and on the same node, though a listener is there', async () => {
    expect(await connect('web-a', '10.0.1.12', 'tcp', 80)).toBe('refused');
    expect(await connect('web-a', '10.0.1.11', 'tcp', 80)).toBe('refused');
    // Allowed: open; allowed by no rule: no answer at all.
    expect(await connect('web-a', '10.0.1.12', 'tcp', 81)).toBe('open');
    expect(await connect('web-a', '10.0.1.12', 'tcp', 82)).toBe('filtered');
  }, 60_000);

  it('answers UDP with ICMP port unreachable: the socket is refused', async () => {
    expect(await connect('web-a', '10.0.1.12', 'udp', 53)).toBe('refused');
    expect(await connect('web-a', '10.0.1.11', 'udp', 53)).toBe('refused');
    expect(await connect('web-a', '10.0.1.12', 'udp', 54)).toBe('filtered');
  }, 60_000);

  it("refuses by the sender's own egress reject, before the packet leaves its port", async () => {
    // The servers' ingress allows 8080; web-b's egress has no reject: only web-a is refused.
    expect(await connect('web-a', '10.0.1.12', 'tcp', 8080)).toBe('refused');
    expect(await connect('web-a', '10.0.1.11', 'tcp', 8080)).toBe('refused');
    expect(await connect('web-b', '10.0.1.12', 'tcp', 8080)).toBe('open');
  }, 60_000);

  it('answers a flood of rejected SYNs at the rate limit only', async () => {
    const before = { ...responder.counts };
    // 1000 SYNs in well under a second, from raw sockets' worth of connects.
    await inNs(
      vms.get('web-a')!,
      'node',
      '-e',
      `const net=require('net');let n=0;for(let i=0;i<1000;i++){const s=net.connect({host:'10.0.1.12',port:80});s.on('error',()=>{});s.on('close',()=>{if(++n===1000)process.exit(0)})}setTimeout(()=>process.exit(0),3000);`,
    );
    const answered = responder.counts.answered - before.answered;
    const limited = responder.counts.limited - before.limited;
    console.log(`flood: ${answered} answered, ${limited} limited`);
    expect(limited).toBeGreaterThan(0);
    expect(answered).toBeLessThan(1000);
  }, 60_000);
});
