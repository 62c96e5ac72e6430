// `nvlab status`: the lab's members, transport nodes and logical ports from its northbound API.
export { labStatus, type LabStatusOptions } from './collect.ts';
export {
  assembleLabStatus,
  memberFor,
  memberStatuses,
  referenceStatus,
  type MemberAnswer,
  type NodeAnswer,
  type PortAnswer,
} from './assemble.ts';
