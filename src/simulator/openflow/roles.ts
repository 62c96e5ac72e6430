// Controller roles as Open vSwitch keeps them: a role per connection (equal when it connects),
// one generation id per switch. A master or slave request whose generation is older than the
// last one seen (compared as a wrapping 64-bit difference) is STALE; a new master demotes the
// old one to slave, and the demoted connection hears of it (ONF's role-status extension, the
// one OVS sends to OpenFlow 1.3 controllers).
import type { ControllerRole } from '../../openflow/constants.ts';
import type { OutgoingMessage, RoleRequest } from '../../openflow/messages.ts';
import { Refused, type Refusal } from './refusal.ts';

/** ONF's experimenter id and ONFT_ROLE_STATUS. */
const ONF_EXPERIMENTER = 0x4f4e4600;
const ONFT_ROLE_STATUS = 1911;
const ROLE_SLAVE = 3;
/** OFPCRR_MASTER_REQUEST: another controller asked to be master. */
const REASON_MASTER_REQUEST = 0;
/** What a role reply says before any generation id was given. */
const NO_GENERATION = 0xffffffffffffffffn;

export interface RoleHolder {
  role: ControllerRole;
  send(msg: OutgoingMessage): void;
}

export class Roles {
  private generation: bigint | undefined;

  /** The role reply for `peer`'s request, having applied it; or STALE. */
  request(peer: RoleHolder, req: RoleRequest, others: Iterable<RoleHolder>): { role: ControllerRole; generationId: bigint } | Refusal {
    if (req.role !== 'nochange') {
      if (req.role !== 'equal') {
        if (this.generation !== undefined && BigInt.asIntN(64, req.generationId - this.generation) < 0n) return Refused.STALE;
        this.generation = req.generationId;
      }
      if (req.role === 'master' && peer.role !== 'master') {
        for (const other of others) if (other !== peer && other.role === 'master') this.demote(other);
      }
      peer.role = req.role;
    }
    return { role: peer.role, generationId: this.generation ?? NO_GENERATION };
  }

  private demote(peer: RoleHolder): void {
    peer.role = 'slave';
    const data = Buffer.alloc(16);
    data.writeUInt32BE(ROLE_SLAVE, 0);
    data[4] = REASON_MASTER_REQUEST;
    data.writeBigUInt64BE(this.generation ?? NO_GENERATION, 8);
    peer.send({ type: 'experimenter', xid: 0, experimenter: ONF_EXPERIMENTER, expType: ONFT_ROLE_STATUS, data });
  }
}
