// Packet-ins the pipeline sends a member on purpose (a reject rule's packet, a router's TTL run
// out, its ARP to ask or learn): every switch's, now and later, and the fields the flow set
// before it (in_port, registers, metadata) as the packet-in's match carries them.
import type { OpenFlowConnection, OpenFlowController, PacketIn } from '../../openflow/index.ts';

/** Calls `handle` with every packet-in of every switch connected to `controller`, now or later. */
export function onPacketIns(controller: OpenFlowController, handle: (sw: OpenFlowConnection, pin: PacketIn) => void): void {
  const watch = (sw: OpenFlowConnection) => sw.on('packetIn', (pin) => handle(sw, pin));
  controller.on('switch', watch);
  for (const sw of controller.connections) watch(sw);
}

/** A numeric field of a packet-in's match, or undefined when the switch did not send it. */
export function packetInField(pin: PacketIn, name: string): number | bigint | undefined {
  const f = pin.match.find((m) => m.field === name);
  return f && 'value' in f && (typeof f.value === 'number' || typeof f.value === 'bigint') ? f.value : undefined;
}
