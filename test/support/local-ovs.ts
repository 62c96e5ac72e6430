// A private Open vSwitch for protocol tests: its own ovsdb-server and ovs-vswitchd (userspace
// datapath) in a temporary directory, so tests never touch the host's OVS or each other.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface LocalOvs {
  dir: string;
  /** unix:<dir>/db.sock, for ovs-vsctl --db and OVSDB clients. */
  dbRemote: string;
  dbSocket: string;
  vsctl(...args: string[]): Promise<string>;
  /** ovs-ofctl with OpenFlow 1.3 against a bridge of this OVS. */
  ofctl(...args: string[]): Promise<string>;
  /** ovs-appctl against this OVS's ovs-vswitchd (ofproto/trace, tnl/neigh/set, ...). */
  appctl(...args: string[]): Promise<string>;
  /** Creates a netdev bridge; it is deleted again by stop(). */
  addBridge(name: string, ...extra: string[]): Promise<void>;
  /** A netdev bridge for our controller: OpenFlow 1.3 only, fail_mode=secure (no flows but the
   *  controller's), datapath id `datapathId`; `columns` are more of its columns to set. */
  addSwitchBridge(name: string, datapathId: bigint, ...columns: string[]): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;

/** Bridge names must be unique on the host: the netdev datapath makes a tap per bridge. */
export function uniqueBridgeName(prefix = 'nvt'): string {
  counter += 1;
  return `${prefix}${process.pid % 10000}x${counter}`.slice(0, 15);
}

/** `ssl`: ovsdb-server takes its key, certificate and authority from the SSL row (ovs-vsctl
 *  set-ssl), as a lab's transport node does with TLS, so its ssl: managers connect. */
export async function startLocalOvs(options: { vswitchd?: boolean; ssl?: boolean } = {}): Promise<LocalOvs> {
  const dir = await mkdtemp(join(tmpdir(), 'nvlab-ovs-'));
  const env = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir };
  const dbSocket = join(dir, 'db.sock');
  const dbRemote = `unix:${dbSocket}`;
  const bridges: string[] = [];
  await execa('ovsdb-tool', ['create', join(dir, 'conf.db'), '/usr/share/openvswitch/vswitch.ovsschema']);
  await execa(
    'ovsdb-server',
    [
      `--remote=punix:${dbSocket}`,
      '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
      ...(options.ssl
        ? [
            '--private-key=db:Open_vSwitch,SSL,private_key',
            '--certificate=db:Open_vSwitch,SSL,certificate',
            '--ca-cert=db:Open_vSwitch,SSL,ca_cert',
          ]
        : []),
      `--pidfile=${join(dir, 'ovsdb-server.pid')}`,
      `--log-file=${join(dir, 'ovsdb-server.log')}`,
      `--unixctl=${join(dir, 'ovsdb-server.ctl')}`,
      '--detach',
      join(dir, 'conf.db'),
    ],
    { env },
  );
  const vsctlArgs = (args: string[]) => [`--db=${dbRemote}`, ...(options.vswitchd === false ? ['--no-wait'] : []), ...args];
  await execa('ovs-vsctl', [`--db=${dbRemote}`, '--no-wait', 'init'], { env });
  if (options.vswitchd !== false) {
    await execa(
      'ovs-vswitchd',
      [
        dbRemote,
        `--pidfile=${join(dir, 'ovs-vswitchd.pid')}`,
        `--log-file=${join(dir, 'ovs-vswitchd.log')}`,
        `--unixctl=${join(dir, 'ovs-vswitchd.ctl')}`,
        '--detach',
      ],
      { env },
    );
  }
  const ovs: LocalOvs = {
    dir,
    dbRemote,
    dbSocket,
    vsctl: async (...args) => (await execa('ovs-vsctl', vsctlArgs(args), { env })).stdout,
    // ovs-ofctl finds a bridge's management socket under OVS_RUNDIR.
    ofctl: async (...args) => (await execa('ovs-ofctl', ['-O', 'OpenFlow13', ...args], { env })).stdout,
    // Also where a vswitchd started elsewhere (in a namespace) with this directory listens.
    appctl: async (...args) => (await execa('ovs-appctl', ['-t', join(dir, 'ovs-vswitchd.ctl'), ...args], { env })).stdout,
    addBridge: async (name, ...extra) => {
      bridges.push(name);
      await ovs.vsctl('add-br', name, '--', 'set', 'bridge', name, 'datapath_type=netdev', ...extra);
    },
    addSwitchBridge: async (name, datapathId, ...columns) => {
      const dpid = datapathId.toString(16).padStart(16, '0');
      await ovs.addBridge(
        name,
        '--',
        'set',
        'bridge',
        name,
        'protocols=OpenFlow13',
        'fail_mode=secure',
        `other-config:datapath-id=${dpid}`,
        ...columns,
      );
    },
    stop: async () => {
      // Deleting bridges first makes vswitchd remove their tap devices from the host.
      for (const name of bridges) await ovs.vsctl('--if-exists', 'del-br', name).catch(() => {});
      for (const daemon of ['ovs-vswitchd', 'ovsdb-server']) {
        await execa('ovs-appctl', ['-t', join(dir, `${daemon}.ctl`), 'exit'], { env, reject: false });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  return ovs;
}
