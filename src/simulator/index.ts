// The transport-node simulator (issue 23): thousands of simulated nodes, each a real OVSDB server
// and OpenFlow 1.3 switch in memory, against a real controller cluster; NVP's workload, and the
// check that every node holds what the pipeline computes for it.
export { SimulatedNode, datapathIdOf, memberTargets, type SimulatedNodeOptions, type Vif } from './node.ts';
export { Fleet, type FleetOptions } from './fleet.ts';
export { workload, extraPorts, vifsByNode, type Workload, type WorkloadOptions } from './workload.ts';
export {
  Checker,
  describeMismatches,
  mismatches,
  type FleetCheck,
  type FlowTableView,
  type NodeHolding,
  type NodeMismatch,
} from './check.ts';
