// Open vSwitch's `learn` action (NXAST_LEARN), encoded by hand: the OpenFlow library carries
// it as an experimenter action. Only what the L2 gateway needs: a learned flow that matches the
// switch (metadata, immediate) and eth_dst := the packet's eth_src, and loads a 1-bit mark.
import type { Action } from '../../openflow/index.ts';

const NX_VENDOR_ID = 0x00002320;
const NXAST_LEARN = 16;
// Field headers (OXM/NXM class << 16 | field << 9 | length).
export const NXM_OF_ETH_DST = 0x00000206;
export const NXM_OF_ETH_SRC = 0x00000406;
export const OXM_OF_METADATA = 0x80000408;
export const nxmReg = (i: number): number => 0x00010000 | (i << 9) | 4;

const SRC_IMMEDIATE = 1 << 13;
const DST_LOAD = 1 << 11;

export interface LearnSpec {
  table: number;
  priority: number;
  idleTimeout: number;
  hardTimeout?: number;
  cookie: bigint;
  /** The learned flow matches metadata = this value (the switch). */
  metadata: bigint;
  /** And loads 1 into bit `bit` of register `reg`. */
  mark: { reg: number; bit: number };
}

/** learn(table=T, idle_timeout=I, priority=P, cookie=C, metadata=M, NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[], load:1->regR[b]) */
export function learnAction(spec: LearnSpec): Action {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(24);
  head.writeUInt16BE(NXAST_LEARN, 0);
  head.writeUInt16BE(spec.idleTimeout, 2);
  head.writeUInt16BE(spec.hardTimeout ?? 0, 4);
  head.writeUInt16BE(spec.priority, 6);
  head.writeBigUInt64BE(spec.cookie, 8);
  head.writeUInt16BE(0, 16); // flags
  head.writeUInt8(spec.table, 18);
  // pad, fin_idle_timeout, fin_hard_timeout: 0
  parts.push(head);
  // metadata = immediate (64 bits)
  const m = Buffer.alloc(2 + 8 + 6);
  m.writeUInt16BE(SRC_IMMEDIATE | 64, 0);
  m.writeBigUInt64BE(spec.metadata, 2);
  m.writeUInt32BE(OXM_OF_METADATA, 10);
  parts.push(m);
  // eth_dst = eth_src (48 bits)
  const e = Buffer.alloc(2 + 6 + 6);
  e.writeUInt16BE(48, 0);
  e.writeUInt32BE(NXM_OF_ETH_SRC, 2);
  e.writeUInt32BE(NXM_OF_ETH_DST, 8);
  parts.push(e);
  // load:1 -> reg[bit]
  const l = Buffer.alloc(2 + 2 + 6);
  l.writeUInt16BE(SRC_IMMEDIATE | DST_LOAD | 1, 0);
  l.writeUInt16BE(1, 2);
  l.writeUInt32BE(nxmReg(spec.mark.reg), 4);
  l.writeUInt16BE(spec.mark.bit, 8);
  parts.push(l);
  let data = Buffer.concat(parts);
  // The action (8-byte header + data) pads to a multiple of 8 with zeros, which also end the specs.
  const pad = (8 - ((data.length + 8) % 8)) % 8;
  if (pad) data = Buffer.concat([data, Buffer.alloc(pad)]);
  return { type: 'experimenter', experimenter: NX_VENDOR_ID, data };
}

/** Whether an action is Open vSwitch's `learn` (a traceflow's shadows leave it out: no side effects). */
export function isLearnAction(a: Action): boolean {
  return a.type === 'experimenter' && a.experimenter === NX_VENDOR_ID && a.data.length >= 2 && a.data.readUInt16BE(0) === NXAST_LEARN;
}
