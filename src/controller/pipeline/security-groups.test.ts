// The port security, ACL and QoS parts of the pipeline on the security lab's hv1 (web-a in
// `web` with QoS, web-b in `admin`, db-d with port security alone): where each local VM's frames
// go, what they may send, what their ACLs hold, and how the rules read back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { act, Port } from '../../openflow/index.ts';
import { explainCookie } from './explain.ts';
import { desiredFlows } from './flows.ts';
import { cookieKind } from './ids.ts';
import { AclPriority, CookieKind, Table } from './layout.ts';
import { DEFAULT_EGRESS_MARK, rangeMasks, ruleMark } from './stages/acl.ts';
import { desiredMeters } from './stages/qos.ts';
import { nodeContext } from './stages/index.ts';
import { hv1Facts, securityLab, smallLab } from './test-fixtures.ts';
import type { FlowModMsg } from './types.ts';

const flows = () => desiredFlows(securityLab(), 'hv1', hv1Facts()).flows;
const inTable = (t: number) => flows().filter((f) => f.tableId === t);
/** The value of a flow's first match field (in_port, reg5). */
const firstValue = (f: FlowModMsg) => (f.match[0] as { value?: unknown } | undefined)?.value;
const gotoOf = (f: FlowModMsg | undefined) => f?.instructions.find((i) => i.type === 'goto_table');
const classifyOf = (ofport: number) =>
  inTable(Table.CLASSIFY).find((f) => f.match.some((m) => m.field === 'in_port' && m.value === ofport));

describe('port security, ACLs and QoS on a node', () => {
  it('sends a VM with port security to table 1, one only in a group to its egress ACL, others on as before', () => {
    expect(gotoOf(classifyOf(1))).toEqual({ type: 'goto_table', tableId: Table.PORT_SECURITY }); // web-a
    expect(gotoOf(classifyOf(3))).toEqual({ type: 'goto_table', tableId: Table.PORT_SECURITY }); // db-d
    const open = desiredFlows(smallLab(), 'hv1', hv1Facts()).flows.find((f) => f.tableId === 0 && firstValue(f) === 1);
    expect(gotoOf(open)).toEqual({ type: 'goto_table', tableId: Table.L2 });
    // QoS: web-a's classify goes through its meter, one per port.
    expect(classifyOf(1)?.instructions[0]).toEqual({ type: 'meter', meterId: 1 });
    expect(desiredMeters(nodeContext(securityLab(), 'hv1', hv1Facts())).map((m) => [m.meterId, m.port])).toEqual([[1, 'web-a']]);
  });

  it('lets a port send from its own MAC and IP (IPv4, ARP) and drops anything else, naming the port', () => {
    const web = inTable(Table.PORT_SECURITY).filter((f) => firstValue(f) === 1);
    expect(
      web.map((f) => [
        f.priority,
        f.match
          .slice(1)
          .map((m) => `${m.field}=${(m as { value?: unknown }).value}`)
          .join(','),
        gotoOf(f)?.tableId,
      ]),
    ).toEqual([
      [100, 'eth_src=02:00:00:00:00:0a,eth_type=2048,ipv4_src=10.0.0.10', Table.ACL_OUT],
      [100, 'eth_src=02:00:00:00:00:0a,eth_type=2054,arp_spa=10.0.0.10,arp_sha=02:00:00:00:00:0a', Table.ACL_OUT],
      [1, '', undefined],
    ]);
    // db-d is in no group: on to L2 forwarding.
    expect(gotoOf(inTable(Table.PORT_SECURITY).find((f) => firstValue(f) === 3))?.tableId).toBe(Table.L2);
    const drop = web[2]!;
    expect(explainCookie(drop.cookie, securityLab()).text).toBe(
      'port security: drop what port web-a sends from another address on switch web',
    );
  });

  it('delivers to a VM in a group through its ingress ACL, locally and in the flood groups', () => {
    const d = desiredFlows(securityLab(), 'hv1', hv1Facts());
    const local = d.flows.find(
      (f) => f.tableId === Table.L2 && f.match.some((m) => m.field === 'eth_dst' && m.value === '02:00:00:00:00:0a'),
    );
    expect(local?.instructions).toEqual([
      {
        type: 'apply_actions',
        actions: [
          { type: 'set_field', field: { field: 'reg5', value: 1 } },
          { type: 'nx_resubmit_table', inPort: 0xfff8, table: Table.ACL_IN },
        ],
      },
    ]);
    const buckets = d.groups.flatMap((g) => g.buckets.map((b) => b.actions));
    expect(buckets).toContainEqual([
      { type: 'set_field', field: { field: 'reg5', value: 1 } },
      { type: 'nx_resubmit_table', inPort: 0xfff8, table: Table.ACL_IN },
    ]);
  });

  it("holds each rule of the port's groups, a remote group as its ports' addresses, and the defaults", () => {
    const web = securityLab().securityGroups!.find((g) => g.name === 'web')!;
    const ingress = inTable(Table.ACL_IN_DECIDE).filter((f) => firstValue(f) === 1);
    const byKind = (k: number) => ingress.filter((f) => cookieKind(f.cookie) === k);
    // TCP 80 from anywhere: committed with its mark, delivered.
    const [http] = byKind(CookieKind.ACL_RULE).filter((f) => f.match.some((m) => m.field === 'tcp_dst'));
    expect(http?.priority).toBe(AclPriority.ALLOW);
    expect(JSON.stringify(http?.instructions)).toContain(`"value":${ruleMark('web', web.rules[0]!)}`);
    // ICMP from group admin: web-b's address.
    const icmp = byKind(CookieKind.ACL_RULE).filter((f) => f.match.some((m) => m.field === 'ip_proto' && m.value === 1));
    expect(icmp.map((f) => f.match.find((m) => m.field === 'ipv4_src')?.value)).toEqual(['10.0.0.11']);
    // Established: under each live mark; the default drops.
    expect(byKind(CookieKind.ACL_ESTABLISHED).map((f) => f.match.find((m) => m.field === 'ct_mark')?.value)).toContain(DEFAULT_EGRESS_MARK);
    // The default: replies to the port's own connections come in (committed under the default
    // mark), anything new is dropped.
    const state = (f: FlowModMsg) => f.match.find((m) => m.field === 'ct_state') as { value: number; mask: number } | undefined;
    expect(byKind(CookieKind.ACL_DEFAULT).map((f) => [f.priority, state(f), f.instructions.length])).toEqual([
      [AclPriority.DEFAULT, { field: 'ct_state', value: 0x28, mask: 0x28 }, 1],
      [AclPriority.DEFAULT, { field: 'ct_state', value: 0x20, mask: 0x28 }, 0],
    ]);
    // Egress: the UDP 53 drop above the established connections.
    const egressDrop = inTable(Table.ACL_OUT_DECIDE).find((f) => f.priority === AclPriority.DENY && firstValue(f) === 1);
    expect(explainCookie(egressDrop!.cookie, securityLab()).text).toBe(
      'security groups: rule 3 of group web (drop egress udp 53 to 10.0.0.0/8) on switch web',
    );
  });

  it("follows a remote group's membership: a port joining admin is admitted by web's ICMP rule", () => {
    const lab = securityLab();
    const joined = { ...lab, ports: lab.ports.map((p) => (p.name === 'db-d' ? { ...p, securityGroups: ['admin'] } : p)) };
    const sources = desiredFlows(joined, 'hv1', hv1Facts())
      .flows.filter(
        (f) => f.tableId === Table.ACL_IN_DECIDE && firstValue(f) === 1 && f.match.some((m) => m.field === 'ip_proto' && m.value === 1),
      )
      .map((f) => f.match.find((m) => m.field === 'ipv4_src')?.value);
    expect(sources).toEqual(['10.0.0.11', '10.1.0.10']);
  });

  it('hands what a reject rule matches to the controller, with the rule in its cookie, above established connections', () => {
    const lab = securityLab();
    const web = lab.securityGroups!.find((g) => g.name === 'web')!;
    const rule = { ...web.rules[2]!, action: 'reject' as const };
    const rejecting = {
      ...lab,
      securityGroups: lab.securityGroups!.map((g) => (g === web ? { ...g, rules: [web.rules[0]!, web.rules[1]!, rule] } : g)),
    };
    const deny = desiredFlows(rejecting, 'hv1', hv1Facts()).flows.find(
      (f) => f.tableId === Table.ACL_OUT_DECIDE && f.priority === AclPriority.DENY && firstValue(f) === 1,
    )!;
    expect(deny.instructions).toEqual([{ type: 'apply_actions', actions: [act.output(Port.CONTROLLER)] }]);
    expect(deny.cookie & 0xffffffffn).toBe(BigInt(ruleMark('web', rule)));
    expect(explainCookie(deny.cookie, rejecting).text).toBe(
      'security groups: rule 3 of group web (reject egress udp 53 to 10.0.0.0/8) on switch web',
    );
  });

  it('covers a port range exactly with value/mask pairs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 2000 }), (min, span) => {
        const max = Math.min(65535, min + span);
        const covered = (p: number) => rangeMasks(min, max).some((r) => (p & r.mask) === r.value);
        for (const p of [min - 1, min, max, max + 1, Math.floor((min + max) / 2)]) expect(covered(p)).toBe(p >= min && p <= max);
      }),
    );
    expect(rangeMasks(8000, 8080).length).toBeLessThanOrEqual(6);
  });
});
