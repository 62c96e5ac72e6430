// A port's QoS: what it sends goes through an OpenFlow meter (a drop band at its rate and burst),
// applied in its classify flow. One meter per local port with QoS, numbered by its OpenFlow port
// (unique on the switch, known to every member from the switch's facts).
import type { NodeContext } from './context.ts';
import type { StateQos } from '../../../model/index.ts';

export const meterOf = (ofport: number): number => ofport;

export interface DesiredMeter {
  meterId: number;
  /** The port it limits. */
  port: string;
  qos: StateQos;
}

/** The meters a node's pipeline uses, by id. */
export function desiredMeters(node: NodeContext): DesiredMeter[] {
  const meters: DesiredMeter[] = [];
  for (const sw of node.switches) {
    for (const { name, ofport, port } of node.localPorts(sw)) {
      const qos = port?.qos;
      if (qos) meters.push({ meterId: meterOf(ofport), port: name, qos });
    }
  }
  return meters.sort((a, b) => a.meterId - b.meterId);
}
