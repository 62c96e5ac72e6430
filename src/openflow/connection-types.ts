// The options and events of an OpenFlowConnection (connection.ts), apart so that the session's
// code reads on its own.
import type { OpenFlowDecodeError, OpenFlowError } from './errors.ts';
import type { FeaturesReply, FlowRemoved, OfMessage, PacketIn, PortStatus } from './messages.ts';

export interface ConnectionOptions {
  /** Send an ECHO_REQUEST after this long without hearing from the switch (ms). Default 5000. */
  echoInterval?: number;
  /**
   * Drop the session after this long without hearing from the switch (ms). Default 15000.
   * A switch answers echoes in order, after the messages queued before them: keep this above
   * the time the switch needs for the largest batch you send (OVS: ~20k-40k flow mods/s).
   */
  deadTime?: number;
  /** Default timeout of request() (ms). Default 30000. */
  requestTimeout?: number;
  /** HELLO + FEATURES must complete within this (ms). Default 10000. */
  handshakeTimeout?: number;
}

export type DisconnectReason = 'closed' | 'dead' | 'socket-error' | 'decode' | 'handshake' | 'local';

export interface ConnectionEvents {
  ready: [FeaturesReply];
  message: [OfMessage];
  packetIn: [PacketIn];
  portStatus: [PortStatus];
  flowRemoved: [FlowRemoved];
  /** An ERROR whose xid matches no pending request or install batch. */
  errorMessage: [OpenFlowError];
  decodeError: [OpenFlowDecodeError];
  disconnect: [{ reason: DisconnectReason; error?: Error }];
}
