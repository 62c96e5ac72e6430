// Several transport nodes on one host for OVS-level tests that need real tunnels between them:
// each node is a network namespace with its own ovs-vswitchd (userspace datapath) whose br-phy
// holds the node's underlay address, its ovsdb-server beside the test (managed by a NodeSessions
// listener, which reaches it over loopback), and a management veth to reach the OpenFlow
// controller. Namespaces, bridges and veths carry the run's prefix and are deleted by destroy().
import { readFile } from 'node:fs/promises';
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { startLocalOvs, type LocalOvs } from '../../support/local-ovs.ts';

const sh = (cmd: string, args: string[]) => execa(cmd, args);
/** Runs a command inside a namespace. */
export const inNs = (ns: string, ...cmd: string[]) => execa('ip', ['netns', 'exec', ns, ...cmd]);

export interface VethEnd {
  /** Namespace; undefined: the test's own. */
  ns?: string;
  name: string;
  mac?: string;
  /** Address with prefix length. */
  addr?: string;
  /** A bridge (in the same namespace) to enslave it to. */
  master?: string;
}

export interface OvsNode {
  name: string;
  ns: string;
  /** Its OVSDB, and ovs-appctl against its ovs-vswitchd. */
  ovs: LocalOvs;
  dpid: bigint;
  underlayIp: string;
  underlayMac: string;
  startVswitchd(): Promise<void>;
  /** SIGKILL: as if the node died; its namespace and links stay. */
  killVswitchd(): Promise<void>;
}

/** Whether a process id is alive (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces and host links a killed run left behind (its prefix names a process that is gone):
 *  a leftover management link keeps its 169.254.77.x address, and the next run's nodes would
 *  reach the controller through it. Only our own prefix, only dead runs. */
async function removeLeftovers(): Promise<void> {
  const stale = (name: string) => {
    const m = /^nvr(\d+)[-mtuxw]/.exec(name);
    return m !== null && !alive(Number(m[1]));
  };
  const namespaces = (await sh('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0] ?? '');
  for (const ns of namespaces.filter(stale)) {
    const pids = (await sh('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await sh('ip', ['netns', 'del', ns]);
  }
  const links = (await sh('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => (l.split(': ')[1] ?? '').split('@')[0] ?? '');
  for (const link of links.filter(stale)) await execa('ip', ['link', 'del', link], { reject: false });
}

export class NetnsLab {
  /** The run's process id in full, so a leftover can be told from a live run's. */
  readonly prefix = `nvr${process.pid}`;
  private cleaned = false;
  private readonly namespaces: string[] = [];
  private readonly hostLinks: string[] = [];
  private readonly nodes: OvsNode[] = [];
  private readonly children: ResultPromise[] = [];
  private counter = 0;
  private destroying = false;
  private readonly failures: string[] = [];
  /** The test's side of the management links: 169.254.77.(4i+1)/30. */
  private mgmtIndex = 0;

  /** A fresh namespace `<prefix>-<name>`: loopback up, IPv6 off (its chatter would land in counters). */
  async ns(name: string): Promise<string> {
    const ns = `${this.prefix}-${name}`;
    if (!this.cleaned) {
      this.cleaned = true;
      await removeLeftovers();
    }
    await execa('ip', ['netns', 'del', ns], { reject: false });
    await sh('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    await inNs(
      ns,
      'sh',
      '-c',
      'mount -o remount,rw /proc/sys 2>/dev/null; echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6',
    );
    return ns;
  }

  async bridge(ns: string, name: string): Promise<void> {
    await inNs(ns, 'ip', 'link', 'add', name, 'type', 'bridge');
    await inNs(ns, 'ip', 'link', 'set', name, 'up');
  }

  /** A veth pair, each end moved, renamed, addressed and up, offloads off (the userspace
   *  datapath reads frames with AF_PACKET and would forward partial checksums). */
  async veth(a: VethEnd, b: VethEnd): Promise<void> {
    const tmp = [`${this.prefix}t${++this.counter}a`, `${this.prefix}t${this.counter}b`] as const;
    await sh('ip', ['link', 'add', tmp[0], 'type', 'veth', 'peer', 'name', tmp[1]]);
    for (const [end, t] of [
      [a, tmp[0]],
      [b, tmp[1]],
    ] as const) {
      const ip = (...args: string[]) => (end.ns ? inNs(end.ns, 'ip', ...args) : sh('ip', args));
      if (end.ns) await sh('ip', ['link', 'set', t, 'netns', end.ns]);
      else this.hostLinks.push(end.name);
      await ip('link', 'set', t, 'name', end.name);
      if (end.mac) await ip('link', 'set', end.name, 'address', end.mac);
      if (end.addr) await ip('addr', 'add', end.addr, 'dev', end.name);
      if (end.master) await ip('link', 'set', end.name, 'master', end.master);
      await ip('link', 'set', end.name, 'up');
      // Not optional: with offloads on, probes leave with bad checksums and go unanswered.
      const ethtool = ['ethtool', '-K', end.name, 'tx', 'off', 'tso', 'off', 'gso', 'off'];
      await (end.ns ? inNs(end.ns, ...ethtool) : sh(ethtool[0]!, ethtool.slice(1)));
    }
  }

  /** A long-running process inside a namespace, stopped by destroy(), which fails if it ended
   *  before (a server that never ran would otherwise show only as unanswered probes). */
  spawn(ns: string, cmd: string[], env: Record<string, string> = {}): ResultPromise {
    const child = execa('ip', ['netns', 'exec', ns, ...cmd], { env, reject: false, stdin: 'ignore', stdout: 'ignore' });
    void child.then((r) => {
      if (!this.destroying) this.failures.push(`${cmd[0]} in ${ns} ended early (${r.exitCode ?? r.signal}): ${r.stderr}`);
    });
    this.children.push(child);
    return child;
  }

  /**
   * A transport node: namespace `name`, underlay NIC eth1 on `underlayBridge` (in namespace
   * `underlayNs`) inside br-phy, which holds `underlayIp`/24; br-int (OpenFlow 1.3, fail-secure,
   * `dpid`) controlled from `tcp:<mgmt>:ofPort`, OVSDB managed by `tcp:127.0.0.1:ovsdbPort`.
   * `addPorts` runs before ovs-vswitchd starts (the node's VMs, router ports, NICs). With `ssl`
   * (files of its key, certificate and the authority it trusts) both are ssl: through its SSL
   * row, as a lab's node with TLS; `systemId` is its external_ids:system-id (default `name`).
   */
  async node(
    name: string,
    opts: {
      underlayIp: string;
      underlayNs: string;
      underlayBridge: string;
      dpid: bigint;
      ovsdbPort: number;
      ofPort: number;
      ssl?: { key: string; cert: string; ca: string };
      systemId?: string;
    },
    addPorts: (ns: string, ovs: LocalOvs) => Promise<void>,
  ): Promise<OvsNode> {
    const ns = await this.ns(name);
    const i = ++this.mgmtIndex;
    const hostIp = `169.254.77.${4 * i + 1}`;
    await this.veth({ name: `${this.prefix}m${i}`, addr: `${hostIp}/30` }, { ns, name: 'mgmt', addr: `169.254.77.${4 * i + 2}/30` });
    await this.veth({ ns, name: 'eth1' }, { ns: opts.underlayNs, name: `${this.prefix}u${i}`, master: opts.underlayBridge });
    const underlayMac = (await inNs(ns, 'cat', '/sys/class/net/eth1/address')).stdout.trim();
    const ovs = await startLocalOvs({ vswitchd: false, ssl: opts.ssl !== undefined });
    await ovs.vsctl('set', 'Open_vSwitch', '.', `external_ids:system-id=${opts.systemId ?? name}`);
    if (opts.ssl) await ovs.vsctl('set-ssl', opts.ssl.key, opts.ssl.cert, opts.ssl.ca);
    const proto = opts.ssl ? 'ssl' : 'tcp';
    // As the node agent does: br-phy takes the NIC's MAC, so the kernel's and OVS's ARP agree.
    await ovs.addBridge(
      'br-phy',
      '--',
      'set',
      'bridge',
      'br-phy',
      `other_config:hwaddr=${underlayMac}`,
      '--',
      'add-port',
      'br-phy',
      'eth1',
    );
    await ovs.addSwitchBridge('br-int', opts.dpid, 'other-config:disable-in-band=true');
    await addPorts(ns, ovs);
    await ovs.vsctl('set-manager', `${proto}:127.0.0.1:${opts.ovsdbPort}`);
    await ovs.vsctl('set-controller', 'br-int', `${proto}:${hostIp}:${opts.ofPort}`);
    const env = { OVS_RUNDIR: ovs.dir, OVS_LOGDIR: ovs.dir, OVS_DBDIR: ovs.dir };
    const ctl = join(ovs.dir, 'ovs-vswitchd.ctl');
    const pidfile = join(ovs.dir, 'ovs-vswitchd.pid');
    const node: OvsNode = {
      name,
      ns,
      ovs,
      dpid: opts.dpid,
      underlayIp: opts.underlayIp,
      underlayMac,
      startVswitchd: async () => {
        await execa(
          'ip',
          [
            'netns',
            'exec',
            ns,
            'ovs-vswitchd',
            ovs.dbRemote,
            `--pidfile=${pidfile}`,
            `--log-file=${join(ovs.dir, 'ovs-vswitchd.log')}`,
            `--unixctl=${ctl}`,
            '--detach',
          ],
          { env },
        );
        // The tap of br-phy is vswitchd's: it comes (without its address) with every start.
        for (let tries = 0; (await execa('ip', ['-n', ns, 'link', 'show', 'br-phy'], { reject: false })).exitCode !== 0; tries++) {
          if (tries > 200) throw new Error(`${name}: br-phy never appeared`);
          await new Promise((r) => setTimeout(r, 50));
        }
        await inNs(ns, 'ip', 'addr', 'replace', `${opts.underlayIp}/24`, 'dev', 'br-phy');
        await inNs(ns, 'ip', 'link', 'set', 'br-phy', 'up');
      },
      killVswitchd: async () => {
        const pid = Number((await execa('cat', [pidfile])).stdout.trim());
        process.kill(pid, 'SIGKILL');
        // Detached, its parent is the machine's init, which may reap it late: a zombie is dead.
        const gone = async () => {
          const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
          return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
        };
        for (let tries = 0; tries < 250; tries++) {
          if (await gone()) return;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`${name}: ovs-vswitchd ${pid} did not die`);
      },
    };
    await node.startVswitchd();
    this.nodes.push(node);
    return node;
  }

  async destroy(): Promise<void> {
    this.destroying = true;
    for (const c of this.children) c.kill('SIGKILL');
    await Promise.allSettled(this.children);
    for (const n of this.nodes) await n.ovs.stop().catch(() => {});
    for (const ns of this.namespaces.reverse()) await execa('ip', ['netns', 'del', ns], { reject: false });
    for (const l of this.hostLinks) await execa('ip', ['link', 'del', l], { reject: false });
    if (this.failures.length > 0) throw new Error(this.failures.join('\n'));
  }
}

/** A UDP echo server (port 7777) answering `<name> <payload>`, in a namespace. */
export const ECHO_PORT = 7777;
export const echoServer = (lab: NetnsLab, ns: string, name: string) =>
  lab.spawn(
    ns,
    [
      'node',
      '-e',
      `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(process.env.NAME+' '+m,r.port,r.address));s.bind(${ECHO_PORT})`,
    ],
    { NAME: name },
  );

export interface ProbeResult {
  /** Per probe sent, the name of who answered (or undefined), and when it was sent (ms since start). */
  probes: { at: number; from: string | undefined }[];
}

/** Sends `count` UDP probes to ip:7777 from a namespace, one every `intervalMs`, waits `waitMs`
 *  after the last one; reports who answered each. */
export async function probe(ns: string, ip: string, count: number, intervalMs = 20, waitMs = 300): Promise<ProbeResult> {
  const code = `
const s=require('dgram').createSocket('udp4');const t0=Date.now();const sent=[];const got={};
s.on('message',(m)=>{const [from,seq]=String(m).split(' ');if(got[seq]===undefined)got[seq]=from;});
s.on('error',()=>{});
let i=0;const tick=()=>{if(i>=${count}){setTimeout(()=>{console.log(JSON.stringify(sent.map((at,k)=>({at,from:got[k]}))));process.exit(0)},${waitMs});return}
sent.push(Date.now()-t0);s.send(String(i),${ECHO_PORT},'${ip}',()=>{});i++;setTimeout(tick,${intervalMs})};s.bind(()=>tick());`;
  const { stdout } = await inNs(ns, 'node', '-e', code);
  return { probes: JSON.parse(stdout) as ProbeResult['probes'] };
}

/** A counter of an interface inside a namespace (rx_packets, tx_packets, ...). */
export async function counter(ns: string, ifname: string, stat: 'rx_packets' | 'tx_packets'): Promise<number> {
  return Number((await inNs(ns, 'cat', `/sys/class/net/${ifname}/statistics/${stat}`)).stdout.trim());
}
