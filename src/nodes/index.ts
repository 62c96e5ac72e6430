// Importing this module registers every node kind.
import './transport-node.ts';
import './host.ts';

export { nodeKind, nodeSpecs, registeredRoles, registerNodeKind, type NodeKind } from './registry.ts';
export { nodeLabels } from './labels.ts';
