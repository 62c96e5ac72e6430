// ofp_port (64 bytes): a port's number, address, name, config/state bits and speeds.
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { formatMac, parseMac } from './match.ts';
import type { PortDesc } from './messages.ts';

export const PORT_DESC_LEN = 64;
const MAX_PORT_NAME_LEN = 16;

export const PortConfig = { PORT_DOWN: 1 << 0, NO_RECV: 1 << 2, NO_FWD: 1 << 5, NO_PACKET_IN: 1 << 6 } as const;
export const PortState = { LINK_DOWN: 1 << 0, BLOCKED: 1 << 1, LIVE: 1 << 2 } as const;

export function encodePortDesc(w: BufferWriter, p: PortDesc): void {
  w.u32(p.portNo).zeros(4).bytes(parseMac(p.hwAddr, 'port hw_addr')).zeros(2);
  w.fixedString(p.name, MAX_PORT_NAME_LEN);
  w.u32(p.config).u32(p.state).u32(p.curr).u32(p.advertised).u32(p.supported).u32(p.peer);
  w.u32(p.currSpeed).u32(p.maxSpeed);
}

export function decodePortDesc(r: BufferReader): PortDesc {
  const b = r.sub(PORT_DESC_LEN, 'ofp_port');
  const portNo = b.u32();
  b.skip(4);
  const hwAddr = formatMac(b.bytes(6));
  b.skip(2);
  return {
    portNo,
    hwAddr,
    name: b.fixedString(MAX_PORT_NAME_LEN, 'port name'),
    config: b.u32(),
    state: b.u32(),
    curr: b.u32(),
    advertised: b.u32(),
    supported: b.u32(),
    peer: b.u32(),
    currSpeed: b.u32(),
    maxSpeed: b.u32(),
  };
}
