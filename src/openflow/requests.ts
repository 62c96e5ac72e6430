// Request/reply correlation by xid for one session: pending promises with timeouts, multipart
// reassembly (MORE flag), and install batches that collect the ERRORs sent for their xids.
import { MULTIPART_MORE, MsgType } from './constants.ts';
import { OpenFlowError, OpenFlowTimeoutError } from './errors.ts';
import type { ErrorMsg, MultipartReplyBody, OfMessage } from './messages.ts';
import { mergeMultipartReplies, multipartReplyOf } from './multipart.ts';

/** The reply type each request type is answered with. */
export const REPLY_TYPE: Partial<Record<OfMessage['type'], OfMessage['type']>> = {
  echo_request: 'echo_reply',
  features_request: 'features_reply',
  get_config_request: 'get_config_reply',
  barrier_request: 'barrier_reply',
  role_request: 'role_reply',
  multipart_request: 'multipart_reply',
};

interface Pending {
  expect: OfMessage['type'];
  resolve: (m: OfMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  parts?: MultipartReplyBody[];
  /** A multipart reply taken as bytes, frame by frame, instead of decoded (expectRaw). */
  raw?: (frame: Buffer) => void;
}

export interface Batch {
  readonly xids: number[];
  readonly failures: { index: number; error: OpenFlowError }[];
}

export class RequestTracker {
  private readonly pending = new Map<number, Pending>();
  private readonly batchXids = new Map<number, { batch: Batch; index: number }>();
  private nextXid = 1;

  /** A fresh xid, never 0 (switches use 0 for unsolicited messages) and never one in use. */
  allocXid(): number {
    for (;;) {
      const xid = this.nextXid;
      this.nextXid = this.nextXid >= 0xffffffff ? 1 : this.nextXid + 1;
      if (!this.pending.has(xid) && !this.batchXids.has(xid)) return xid;
    }
  }

  /** Registers interest in the reply to `xid`; timeout 0 means none. */
  expect(xid: number, expectType: OfMessage['type'], timeout: number, label: string): Promise<OfMessage> {
    return new Promise((resolve, reject) => {
      const timer =
        timeout > 0
          ? setTimeout(() => {
              this.pending.delete(xid);
              reject(new OpenFlowTimeoutError(`${label} xid ${xid}: no reply in ${timeout} ms`));
            }, timeout).unref()
          : undefined;
      this.pending.set(xid, { expect: expectType, resolve, reject, timer });
    });
  }

  /** Registers interest in a multipart reply's frames as bytes: each is given to `onFrame` while
   *  it is valid (a view of the connection's buffer), the promise resolves after the last. */
  expectRaw(xid: number, timeout: number, label: string, onFrame: (frame: Buffer) => void): Promise<void> {
    const reply = this.expect(xid, 'multipart_reply', timeout, label);
    this.pending.get(xid)!.raw = onFrame;
    return reply.then(() => undefined);
  }

  /** A frame that is a multipart reply to a request registered with expectRaw is given to it
   *  (true); any other is left to be decoded (false). */
  onRawFrame(frame: Buffer): boolean {
    if (frame[1] !== MsgType.MULTIPART_REPLY || frame.length < 16) return false;
    const xid = frame.readUInt32BE(4);
    const pending = this.pending.get(xid);
    if (!pending?.raw) return false;
    const { more } = multipartReplyOf(frame);
    try {
      pending.raw(frame);
    } catch (err) {
      this.fail(xid, err as Error);
      return true;
    }
    if (!more) {
      this.take(xid);
      pending.resolve({ type: 'barrier_reply', xid }); // nothing decoded to give
    }
    return true;
  }

  has(xid: number): boolean {
    return this.pending.has(xid);
  }

  /** Rejects one pending request (e.g. its reply did not decode, or it could not be sent). */
  fail(xid: number, err: Error): void {
    this.take(xid)?.reject(err);
  }

  failAll(err: Error): void {
    for (const xid of [...this.pending.keys()]) this.fail(xid, err);
    this.batchXids.clear();
  }

  beginBatch(): Batch {
    return { xids: [], failures: [] };
  }

  addToBatch(batch: Batch, xid: number, index: number): void {
    batch.xids.push(xid);
    this.batchXids.set(xid, { batch, index });
  }

  endBatch(batch: Batch): void {
    for (const xid of batch.xids) this.batchXids.delete(xid);
  }

  /** An ERROR from the switch: settles a pending request or is recorded in its batch. */
  onError(msg: ErrorMsg): OpenFlowError | undefined {
    const error = new OpenFlowError(msg);
    const pending = this.take(msg.xid);
    if (pending) {
      pending.reject(error);
      return undefined;
    }
    const inBatch = this.batchXids.get(msg.xid);
    if (inBatch) {
      inBatch.batch.failures.push({ index: inBatch.index, error });
      return undefined;
    }
    return error; // nobody asked: the caller reports it
  }

  /** A possible reply; returns false when no request was waiting for it. */
  onReply(msg: OfMessage): boolean {
    const pending = this.pending.get(msg.xid);
    if (!pending || pending.expect !== msg.type) return false;
    if (msg.type === 'multipart_reply') {
      (pending.parts ??= []).push(msg.body);
      if (msg.flags & MULTIPART_MORE) return true;
      this.take(msg.xid);
      pending.resolve({ ...msg, flags: 0, body: mergeMultipartReplies(pending.parts) });
      return true;
    }
    this.take(msg.xid);
    pending.resolve(msg);
    return true;
  }

  private take(xid: number): Pending | undefined {
    const p = this.pending.get(xid);
    if (p) {
      clearTimeout(p.timer);
      this.pending.delete(xid);
    }
    return p;
  }
}
