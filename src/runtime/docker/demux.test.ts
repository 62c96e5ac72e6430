import { describe, expect, test } from 'vitest';
import { demuxBuffer } from './engine-io.ts';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demuxBuffer', () => {
  test('splits Docker stdout and stderr frames', () => {
    const buffer = Buffer.concat([frame(1, 'a\n'), frame(2, 'oops\n'), frame(1, 'b\n')]);
    expect(demuxBuffer(buffer)).toEqual({ stdout: 'a\nb\n', stderr: 'oops\n' });
  });

  test('ignores a truncated trailing header', () => {
    expect(demuxBuffer(Buffer.concat([frame(1, 'x'), Buffer.from([1, 0, 0])]))).toEqual({ stdout: 'x', stderr: '' });
  });
});
