// The simulated Open_vSwitch database of one transport node (issue 23's simulator; SIM.md).
export {
  SimulatedOvsdb,
  type SimulatedOvsdbOptions,
  type SimulatedOvsdbEvents,
  type BridgePort,
  type TunnelPort,
  type PortChange,
  type VmPort,
} from './simulated-ovsdb.ts';
export { LOCAL_OFPORT, TUNNEL_TYPES } from './vswitchd.ts';
export { VSWITCH_SCHEMA_PATH } from './schema.ts';
