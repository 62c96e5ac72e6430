// Builders for the capture tests: packets and classic pcap files as tcpdump writes them.

export function ipv4(proto: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payload.length, 2);
  header[8] = 64;
  header[9] = proto;
  return Buffer.concat([header, payload]);
}

export function ethernet(dst: string, type: number, payload: Buffer, src = '02:00:00:00:00:11'): Buffer {
  const header = Buffer.alloc(14);
  Buffer.from(dst.replace(/:/g, ''), 'hex').copy(header, 0);
  Buffer.from(src.replace(/:/g, ''), 'hex').copy(header, 6);
  header.writeUInt16BE(type, 12);
  return Buffer.concat([header, payload]);
}

export function udp(port: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(54321, 0);
  header.writeUInt16BE(port, 2);
  return ipv4(17, Buffer.concat([header, payload]));
}

/** A geneve packet (with two words of options) carrying `frame`, as an underlay NIC sees it. */
export function geneve(frame: Buffer): Buffer {
  const header = Buffer.alloc(8 + 8);
  header[0] = 2; // two 4-byte words of options
  header.writeUInt16BE(0x6558, 2);
  return ethernet('02:00:00:00:00:aa', 0x0800, udp(6081, Buffer.concat([header, frame])));
}

export function pcap(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  return Buffer.concat([
    header,
    ...frames.flatMap((f) => {
      const rec = Buffer.alloc(16);
      rec.writeUInt32LE(f.length, 8);
      rec.writeUInt32LE(f.length, 12);
      return [rec, f];
    }),
  ]);
}
