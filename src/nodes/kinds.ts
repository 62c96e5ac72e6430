// Every node kind nvlab deploys, listed once, in the order deploy creates and starts their nodes
// (at most a few at a time, so earlier kinds come up first):
// - controller members first: transport nodes connect to them as soon as they start, and only
//   retry until they answer, so members already up spare them the wait;
// - then transport nodes, in the vocabulary's role order: they form the data plane;
// - hosts last: nothing connects to them, and what they talk to (the gateways on their
//   physical network) is then already on its way up.
// A role listed twice fails here, at load, rather than replacing a kind silently.
import { controllerKind } from './controller/kind.ts';
import { hostKind } from './host.ts';
import { NodeKindRegistry } from './registry.ts';
import { transportNodeKinds } from './transport-node.ts';

export const nodeKinds = new NodeKindRegistry([controllerKind, ...transportNodeKinds, hostKind]);
