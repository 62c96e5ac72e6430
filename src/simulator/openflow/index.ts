// The simulated OpenFlow switch of a transport node (docs: /work/wt/SIM.md's sim-openflow part).
export {
  SimulatedSwitch,
  type SimulatedSwitchOptions,
  type SimulatedSwitchEvents,
  type SimulatedPort,
  type ConnectionStatus,
  type ComparedFlow,
} from './switch.ts';
export type { ModCounters } from './datapath.ts';
