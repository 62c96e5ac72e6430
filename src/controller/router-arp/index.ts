// ARP for distributed routers without gateways: requests for unknown addresses, bindings learned.
export { arpReplySender, arpRequest } from './arp-frame.ts';
export { RESOLVE_EVERY_MS, RESOLVE_RATE, RouterArp, resolveRequest, type LearnedBinding } from './resolver.ts';
