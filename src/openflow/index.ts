// Public API of the OpenFlow 1.3 library: the controller and its sessions, the message types,
// the codec for those who need bytes, printing, and the error classes.
//
//   const controller = new OpenFlowController({ echoInterval: 5000, deadTime: 15000 });
//   await controller.listen(6653);
//   controller.on('switch', async (sw) => {
//     sw.on('packetIn', (pin) => console.log(formatMessage(pin)));
//     await sw.role('master', 1n);
//     await sw.install([
//       groupMod({ groupId: 1, groupType: 'all', buckets: [bucket([act.output(1)]), bucket([act.output(2)])] }),
//       flowMod({ priority: 100, match: [{ field: 'tunnel_id', value: 5n }, { field: 'eth_dst', value: '00:00:00:00:00:02' }],
//         instructions: [inst.apply(act.setField({ field: 'tun_dst', value: '192.168.0.2' }), act.output(1))] }),
//     ]); // resolves on the barrier reply; rejects with OpenFlowInstallError listing rejected messages
//   });
//
// Conntrack (OVS's Nicira extensions) and meters, for stateful ACLs and QoS:
//
//   await sw.install([
//     meterMod({ meterId: 1, bands: [dropBand(10_000, 1_000)] }), // 10 Mbit/s, 1 Mbit burst
//     flowMod({ match: [{ field: 'eth_type', value: 0x0800 }], instructions: [inst.meter(1), inst.apply(act.ct({ zone: 5, table: 1 }))] }),
//     flowMod({ tableId: 1, match: [ctState('+trk+new'), { field: 'eth_type', value: 0x0800 }],
//       instructions: [inst.apply(act.ct({ commit: true, zone: 5, exec: [act.setField({ field: 'ct_mark', value: 1 })] }), act.output(2))] }),
//     flowMod({ tableId: 1, match: [ctState('+trk+est'), { field: 'ct_mark', value: 1, mask: 1 }], instructions: [...] }),
//   ]);
//   await sw.meterConfig(); // [{ meterId: 1, flags, bands }], to compare with what should be there
//   act.ct({ zone: { field: 'reg13', ofs: 0, nbits: 16 }, nat: { kind: 'src', addresses: '10.0.0.1', ports: [1000, 2000] } });
//   act.setField({ field: 'ct_label', value: 1n << 96n, mask: 0xffffffffn << 96n }); // masked: NXAST_REG_LOAD2
//   act.ctClear();
//
// What OVS 3.1 (userspace datapath) holds to, as measured by the tests: a flow with ct() must match
// eth_type IPv4 or IPv6 (else BAD_ACTION/MATCH_INCONSISTENT); exec() takes only set_field of
// ct_mark / ct_label (else BAD_ARGUMENT); a packet-out walks ct() and its recirculation when its
// in_port is a real port, LOCAL or CONTROLLER, but not once it is in a patch port's pipeline
// (as in_port or after crossing one: it stops at ct()); a flow's output to CONTROLLER arrives as a
// packet-in with that flow's cookie and a match holding in_port, registers, ct_state (mask 0xff),
// ct_zone, ct_mark, ct_label and the ct_nw_*/ct_tp_* of its connection; deleting a meter deletes
// the flows that use it (add meters before their flows, delete them after).
export { OpenFlowController, type ControllerOptions, type ControllerEvents } from './controller.ts';
export { OpenFlowConnection, type ConnectionOptions, type ConnectionEvents, type DisconnectReason } from './connection.ts';
export type * from './messages.ts';
export type { Action } from './actions.ts';
export type { CtOptions, CtZone, NatOptions, NxAction, NxSubfield } from './nx-actions.ts';
export { ctState } from './ct-state.ts';
export type { Instruction } from './instructions.ts';
export type { Match, OxmField, KnownOxm, RawOxm, OxmFieldName, OxmValue } from './match.ts';
export { act } from './actions.ts';
export { inst } from './instructions.ts';
export { bucket } from './group.ts';
export { dropBand, flowMod, groupMod, meterMod, packetOut } from './builders.ts';
export { allFlows } from './multipart.ts';
export { readFlowTable, readGroupTable, type FlowFilter, type GroupFilter, type TableDigest } from './digest.ts';
export { PortConfig, PortState } from './port.ts';
export {
  OFP_VERSION,
  Port,
  Group,
  NO_BUFFER,
  VID_PRESENT,
  TABLE_ALL,
  Meter,
  MeterFlags,
  CtFlags,
  CtState,
  NatFlags,
  CT_RECIRC_NONE,
  FlowModFlags,
  ConfigFlags,
  PacketInReason,
  PortReason,
  FlowRemovedReason,
  MsgType,
  MultipartType,
  type ControllerRole,
  type FlowModCommand,
  type GroupModCommand,
  type GroupType,
  type MeterModCommand,
  type CtStateFlag,
} from './constants.ts';
export { serialize, serializeMany } from './serializer.ts';
export { OpenFlowParser, decodeFrame, type ParseResult } from './parser.ts';
export { formatMessage, formatMatch, formatActions, formatInstructions, formatFlowStats, formatMeter } from './format.ts';
export {
  ErrorType,
  errorTypeName,
  errorCodeName,
  errorSpecNames,
  errorNumbers,
  OpenFlowError,
  OpenFlowDecodeError,
  OpenFlowEncodeError,
  OpenFlowTimeoutError,
  OpenFlowDisconnectedError,
  OpenFlowHandshakeError,
  OpenFlowInstallError,
} from './errors.ts';
export type { GroupStats, PortStats } from './stats.ts';
export type { MeterBand, MeterDesc, MeterFeatures, MeterStats } from './meter.ts';
