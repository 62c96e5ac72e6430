// How the trace tests read a path, predicted or observed: each hop on one line, and where its
// copies were delivered.
import { expect } from 'vitest';
import type { TraceHop, TracePath } from '../../src/model/index.ts';

/** Each hop as `node component observation` and its logical element or its tunnel's remote node. */
export const steps = (path: { hops: TraceHop[] }) =>
  path.hops.map((h) => `${h.node} ${h.component} ${h.observation} ${h.logical ?? h.tunnel?.remote ?? ''}`.trim());

/** The logical ports delivered to, in the path's order. */
export const delivered = (hops: TraceHop[]) => hops.filter((h) => h.observation === 'delivered').map((h) => h.logical);

/** Where the copies were delivered, as sorted `node port` pairs. */
export const deliveredAt = (path: { hops: TraceHop[] }) =>
  path.hops
    .filter((h) => h.observation === 'delivered')
    .map((h) => `${h.node} ${h.logical}`)
    .sort();

/** A path that never arrives: its verdict's reason, and the hop where it ends. */
export function expectDropped(path: TracePath, reason: NonNullable<TracePath['reason']>, last: Record<string, unknown>): void {
  expect(path).toMatchObject({ delivered: false, reason });
  expect(path.hops.at(-1)).toMatchObject(last);
}
