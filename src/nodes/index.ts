// Importing this module registers every node kind. Controller members come first: nodes connect
// to them (and retry until they answer), so they are created before the transport nodes.
import './controller.ts';
import './transport-node.ts';
import './host.ts';

export { nodeKind, nodeSpecs, registeredRoles, registerNodeKind, type NodeKind } from './registry.ts';
export { nodeLabels } from './labels.ts';
export { membersOf, setControllerAssets, type ControllerAssets } from './controller.ts';
