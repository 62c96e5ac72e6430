// `nvlab status`: the lab's members, transport nodes and logical ports from its northbound API.
export { labMembers, labStatus, type LabStatusOptions } from './collect.ts';
export { assembleLabStatus, type NodeAnswer, type PortAnswer } from './assemble.ts';
