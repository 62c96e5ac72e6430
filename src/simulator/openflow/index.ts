// The simulated br-int of a transport node: one OpenFlow 1.3 datapath in memory that connects
// out to each controller target as ovs-vswitchd does, and answers as Open vSwitch 3.1 answers
// (test/integration/simulator holds it against a real ovs-vswitchd). No data plane.
//
//   const sw = new SimulatedSwitch({ datapathId: 0x1234n, ports: [{ name: 'vm1', ofport: 1, mac: '02:00:00:00:00:01' }] });
//   sw.connect(['ssl:172.31.0.2:6653', 'ssl:172.31.0.3:6653'], tls); // retried ≤ 1 s apart
//   sw.on('changed', () => ...);             // flows, groups or meters changed
//   sw.addPort({ name: 'tun-hv2-gnv', ofport: 10, mac }); sw.removePort(10); // PORT_STATUS to every controller
//   sw.hasFlow(desired.flows[0]);            // cheap: key, cookie, timeouts, instruction bytes
//   reconcile(desired, { flows: sw.flows(), groups: sw.groups() }); // [] when it holds exactly that
//   sw.counters.flowMods; sw.connections();  // totals; per controller: role, flow-mods, refused
//   await sw.close();
//
// What it does as OVS does: HELLO (1.3 only), FEATURES (254 tables), GET/SET_CONFIG (miss_send_len
// per connection), roles with generation ids (STALE, one master, ONF role status to the demoted
// one, a slave's writes refused with IS_SLAVE), ECHO both ways and the inactivity probe,
// BARRIER, FLOW_MOD (add replaces whole; modify keeps cookie, timeouts and flags and adds
// nothing; delete by cookie mask, out_port, out_group, table ALL; CHECK_OVERLAP; the refusals
// of a bad match, table, goto, group, meter or ct()), GROUP_MOD and METER_MOD (deleting one
// deletes its flows), multipart desc, flow, aggregate, table, port desc and stats, group desc and
// stats, meter config, stats and features (split in 64 KiB parts), PACKET_OUT taken and dropped,
// FLOW_REMOVED for SEND_FLOW_REM flows, timeouts (no traffic: idle since made).
export {
  SimulatedSwitch,
  type SimulatedSwitchOptions,
  type SimulatedSwitchEvents,
  type SimulatedPort,
  type ConnectionStatus,
  type ComparedFlow,
} from './switch.ts';
export type { ModCounters } from './datapath.ts';
