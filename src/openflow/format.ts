// Human-readable printing, kept apart from the codec. The style follows ovs-ofctl loosely
// (field=value/mask, output:PORT, apply_actions(...)) so logs read like OVS's own.
import type { Action } from './actions.ts';
import { formatCtState } from './ct-state.ts';
import {
  CT_RECIRC_NONE,
  CtFlags,
  meterName,
  msgTypeName,
  multipartTypeName,
  packetInReasonName,
  portName,
  portReasonName,
  flowRemovedReasonName,
} from './constants.ts';
import { errorSpecNames } from './errors.ts';
import type { Instruction } from './instructions.ts';
import { oxmFieldBits, type Match, type OxmField } from './match.ts';
import type { MeterBand, MeterDesc } from './meter.ts';
import { isNxAction, type NxAction, type NxSubfield } from './nx-actions.ts';
import type { Bucket, FlowStats, MultipartReplyBody, MultipartRequestBody, OfMessage, PortDesc } from './messages.ts';

const hex = (v: number | bigint) => `0x${v.toString(16)}`;

export function formatPort(port: number): string {
  return portName.get(port) ?? String(port);
}

export function formatOxm(f: OxmField): string {
  if (f.field === 'raw') {
    const exp = f.experimenter === undefined ? '' : `,exp=${hex(f.experimenter)}`;
    return `oxm(${hex(f.oxmClass)}:${f.oxmField}${exp}${f.hasMask ? ',masked' : ''})=0x${f.payload.toString('hex')}`;
  }
  if (f.field === 'ct_state') return `ct_state=${formatCtState(f.value, f.mask)}`;
  const show = (v: unknown) =>
    typeof v === 'number' || typeof v === 'bigint' ? (f.field === 'in_port' ? formatPort(Number(v)) : hex(v)) : String(v);
  return `${f.field}=${show(f.value)}${f.mask === undefined ? '' : `/${show(f.mask)}`}`;
}

export function formatMatch(match: Match): string {
  return match.length === 0 ? '(all)' : match.map(formatOxm).join(',');
}

export function formatAction(a: Action): string {
  if (isNxAction(a)) return formatNxAction(a);
  switch (a.type) {
    case 'output':
      return a.port === 0xfffffffd ? `output:CONTROLLER:${a.maxLen ?? 0}` : `output:${formatPort(a.port)}`;
    case 'group':
      return `group:${a.groupId}`;
    case 'set_field': {
      const text = formatOxm(a.field);
      const eq = text.indexOf('=');
      return `set_field:${text.slice(eq + 1)}->${text.slice(0, eq)}`;
    }
    case 'push_vlan':
      return `push_vlan:${hex(a.ethertype)}`;
    case 'pop_vlan':
      return 'pop_vlan';
    case 'dec_nw_ttl':
      return 'dec_ttl';
    case 'set_nw_ttl':
      return `set_nw_ttl:${a.ttl}`;
    case 'copy_ttl_out':
    case 'copy_ttl_in':
      return a.type;
    case 'set_queue':
      return `set_queue:${a.queueId}`;
    case 'experimenter':
      return `experimenter(${hex(a.experimenter)}:${a.data.toString('hex')})`;
    case 'raw':
      return `action(${a.actionType}:${a.body.toString('hex')})`;
  }
}

// As ovs-ofctl prints them: ct(commit,table=1,zone=5,nat(src=10.0.0.1:1000-2000),exec(...)).
function formatNxAction(a: NxAction): string {
  switch (a.type) {
    case 'nx_resubmit_table':
      return `resubmit(${a.inPort === 0xfff8 ? '' : a.inPort},${a.table === 0xff ? '' : a.table})`;
    case 'nx_reg_load':
      return `load:${hex(a.value)}->${formatSubfield(a.dst)}`;
    case 'nx_reg_move':
      return `move:${formatSubfield(a.src)}->${formatSubfield(a.dst)}`;
    case 'nx_reg_load2':
      return formatAction({ type: 'set_field', field: a.field });
    case 'nx_ct': {
      const parts = [];
      if (a.flags & CtFlags.COMMIT) parts.push('commit');
      if (a.flags & CtFlags.FORCE) parts.push('force');
      if (a.table !== CT_RECIRC_NONE) parts.push(`table=${a.table}`);
      if (typeof a.zone !== 'number' || a.zone !== 0) parts.push(`zone=${typeof a.zone === 'number' ? a.zone : formatSubfield(a.zone)}`);
      // A leading nat() stands on its own; the other nested actions go in exec().
      const natFirst = a.actions[0]?.type === 'nx_nat';
      if (natFirst) parts.push(formatAction(a.actions[0]!));
      const exec = natFirst ? a.actions.slice(1) : a.actions;
      if (exec.length > 0) parts.push(`exec(${exec.map(formatAction).join(',')})`);
      if (a.alg) parts.push(`alg=${a.alg === 21 ? 'ftp' : a.alg === 69 ? 'tftp' : a.alg}`);
      return `ct(${parts.join(',')})`;
    }
    case 'nx_ct_clear':
      return 'ct_clear';
    case 'nx_nat': {
      if (!(a.flags & 3)) return 'nat';
      const range = (min: unknown, max: unknown) => (min === undefined ? '' : `${min}${max === undefined ? '' : `-${max}`}`);
      const addr = range(a.ipv4Min, a.ipv4Max);
      const ports = range(a.protoMin, a.protoMax);
      const flags = [a.flags & 4 && 'persistent', a.flags & 8 && 'hash', a.flags & 16 && 'random'].filter(Boolean);
      const target = addr || ports ? `=${addr}${ports ? `:${ports}` : ''}` : '';
      return `nat(${[`${a.flags & 1 ? 'src' : 'dst'}${target}`, ...flags].join(',')})`;
    }
  }
}

// As OVS writes a subfield, with our field names: reg6[0..15], ct_mark[0], ct_mark[] (whole).
function formatSubfield({ field, ofs, nbits }: NxSubfield): string {
  if (ofs === 0 && nbits === oxmFieldBits(field)) return `${field}[]`;
  return `${field}[${nbits === 1 ? ofs : `${ofs}..${ofs + nbits - 1}`}]`;
}

export function formatActions(actions: readonly Action[]): string {
  return actions.length === 0 ? 'drop' : actions.map(formatAction).join(',');
}

export function formatInstruction(i: Instruction): string {
  switch (i.type) {
    case 'goto_table':
      return `goto_table:${i.tableId}`;
    case 'write_metadata':
      return `write_metadata:${hex(i.metadata)}${i.mask === 0xffffffffffffffffn ? '' : `/${hex(i.mask)}`}`;
    case 'apply_actions':
      return `apply_actions(${i.actions.map(formatAction).join(',')})`;
    case 'write_actions':
      return `write_actions(${i.actions.map(formatAction).join(',')})`;
    case 'clear_actions':
      return 'clear_actions';
    case 'meter':
      return `meter:${i.meterId}`;
    case 'experimenter':
      return `experimenter(${hex(i.experimenter)}:${i.data.toString('hex')})`;
  }
}

export function formatInstructions(list: readonly Instruction[]): string {
  return list.length === 0 ? 'drop' : list.map(formatInstruction).join(',');
}

function formatBucket(b: Bucket): string {
  const parts = [];
  if (b.weight) parts.push(`weight:${b.weight}`);
  if (b.watchPort !== 0xffffffff) parts.push(`watch_port:${formatPort(b.watchPort)}`);
  if (b.watchGroup !== 0xffffffff) parts.push(`watch_group:${b.watchGroup}`);
  parts.push(`actions=${formatActions(b.actions)}`);
  return `bucket=${parts.join(',')}`;
}

export function formatPortDesc(p: PortDesc): string {
  return `${formatPort(p.portNo)}(${p.name}): addr:${p.hwAddr} config:${hex(p.config)} state:${hex(p.state)}`;
}

export function formatFlowStats(f: FlowStats): string {
  return (
    `cookie=${hex(f.cookie)}, table=${f.tableId}, n_packets=${f.packetCount}, n_bytes=${f.byteCount}, ` +
    `priority=${f.priority},${formatMatch(f.match)} actions=${formatInstructions(f.instructions)}`
  );
}

function formatBand(b: MeterBand): string {
  const rate = `rate=${b.rate} burst_size=${b.burstSize}`;
  if (b.type === 'drop') return `type=drop ${rate}`;
  if (b.type === 'dscp_remark') return `type=dscp_remark ${rate} prec_level=${b.precLevel}`;
  return `type=experimenter ${rate} experimenter=${hex(b.experimenter)}`;
}

/** A meter as ovs-ofctl add-meter takes it: "meter=1 kbps burst stats bands=type=drop rate=..". */
export function formatMeter(m: MeterDesc): string {
  const flags = (['kbps', 'pktps', 'burst', 'stats'] as const).filter((_, i) => m.flags & (1 << i));
  const unknown = m.flags & ~0xf ? [`flags=${hex(m.flags)}`] : [];
  return [`meter=${formatMeterId(m.meterId)}`, ...flags, ...unknown, `bands=${m.bands.map(formatBand).join(',')}`].join(' ');
}

function formatMeterId(id: number): string {
  return meterName.get(id)?.toLowerCase() ?? String(id);
}

function formatMultipartRequest(b: MultipartRequestBody): string {
  switch (b.kind) {
    case 'flow':
    case 'aggregate':
      return `${b.kind} table=${b.tableId === 0xff ? 'all' : b.tableId} ${formatMatch(b.match)}`;
    case 'meter':
    case 'meter_config':
      return `${b.kind} meter=${formatMeterId(b.meterId)}`;
    case 'raw':
      return `${multipartTypeName.get(b.mpType) ?? b.mpType} ${b.data.length} bytes`;
    default:
      return b.kind;
  }
}

function formatMultipartReply(b: MultipartReplyBody): string {
  switch (b.kind) {
    case 'desc':
      return `desc mfr="${b.mfrDesc}" hw="${b.hwDesc}" sw="${b.swDesc}" dp="${b.dpDesc}"`;
    case 'flow':
      return ['flow', ...b.flows.map((f) => ` ${formatFlowStats(f)}`)].join('\n');
    case 'aggregate':
      return `aggregate packets=${b.packetCount} bytes=${b.byteCount} flows=${b.flowCount}`;
    case 'port_desc':
      return ['port_desc', ...b.ports.map((p) => ` ${formatPortDesc(p)}`)].join('\n');
    case 'group_desc':
      return [
        'group_desc',
        ...b.groups.map((g) => ` group_id=${g.groupId},type=${g.groupType},${g.buckets.map(formatBucket).join(',')}`),
      ].join('\n');
    case 'port_stats':
      return [
        'port_stats',
        ...b.ports.map(
          (p) =>
            ` ${formatPort(p.portNo)}: rx pkts=${p.rxPackets}, bytes=${p.rxBytes}, drop=${p.rxDropped}, errs=${p.rxErrors}; ` +
            `tx pkts=${p.txPackets}, bytes=${p.txBytes}, drop=${p.txDropped}, errs=${p.txErrors}`,
        ),
      ].join('\n');
    case 'group':
      return [
        'group',
        ...b.groups.map(
          (g) =>
            ` group_id=${g.groupId},ref_count=${g.refCount},packet_count=${g.packetCount},byte_count=${g.byteCount}` +
            g.buckets.map((k, i) => `,bucket${i}:packet_count=${k.packetCount},byte_count=${k.byteCount}`).join(''),
        ),
      ].join('\n');
    case 'meter':
      return [
        'meter',
        ...b.meters.map(
          (m) =>
            ` meter=${m.meterId} flow_count=${m.flowCount} packet_in_count=${m.packetInCount} byte_in_count=${m.byteInCount}` +
            m.bands.map((k, i) => ` band${i}:packet_count=${k.packetCount},byte_count=${k.byteCount}`).join(''),
        ),
      ].join('\n');
    case 'meter_config':
      return ['meter_config', ...b.meters.map((m) => ` ${formatMeter(m)}`)].join('\n');
    case 'meter_features':
      return `meter_features max_meter=${b.maxMeter} band_types=${hex(b.bandTypes)} capabilities=${hex(b.capabilities)} max_bands=${b.maxBands} max_color=${b.maxColor}`;
    case 'raw':
      return `${multipartTypeName.get(b.mpType) ?? b.mpType} ${b.data.length} bytes`;
  }
}

/** One message as text, e.g. "FLOW_MOD xid=7 add table=0 priority=100 in_port=1 actions=...". */
export function formatMessage(msg: OfMessage): string {
  const head = `${msg.type.toUpperCase()} xid=${msg.xid}`;
  switch (msg.type) {
    case 'hello':
      return `${head} version=${hex(msg.version)}${msg.versions ? ` versions=${msg.versions.map(hex).join(',')}` : ''}`;
    case 'error': {
      const names = errorSpecNames(msg.errorType, msg.errorCode);
      const exp = msg.experimenter === undefined ? '' : ` experimenter=${hex(msg.experimenter)}`;
      return `${head} ${names.type} ${names.code}${exp} (${msg.data.length} bytes of data)`;
    }
    case 'echo_request':
    case 'echo_reply':
      return `${head} ${msg.data.length} bytes`;
    case 'experimenter':
      return `${head} experimenter=${hex(msg.experimenter)} exp_type=${msg.expType}`;
    case 'features_reply':
      return `${head} dpid=${msg.datapathId.toString(16).padStart(16, '0')} n_tables=${msg.nTables} n_buffers=${msg.nBuffers} capabilities=${hex(msg.capabilities)}`;
    case 'get_config_reply':
    case 'set_config':
      return `${head} flags=${hex(msg.flags)} miss_send_len=${msg.missSendLen}`;
    case 'packet_in':
      return `${head} reason=${packetInReasonName.get(msg.reason) ?? msg.reason} table=${msg.tableId} cookie=${hex(msg.cookie)} total_len=${msg.totalLen} ${formatMatch(msg.match)} (${msg.data.length} bytes)`;
    case 'flow_removed':
      return `${head} reason=${flowRemovedReasonName.get(msg.reason) ?? msg.reason} table=${msg.tableId} cookie=${hex(msg.cookie)} priority=${msg.priority} ${formatMatch(msg.match)}`;
    case 'port_status':
      return `${head} ${portReasonName.get(msg.reason) ?? msg.reason} ${formatPortDesc(msg.port)}`;
    case 'packet_out':
      return `${head} in_port=${formatPort(msg.inPort)} actions=${formatActions(msg.actions)} (${msg.data.length} bytes)`;
    case 'flow_mod':
      return (
        `${head} ${msg.command} table=${msg.tableId} priority=${msg.priority} cookie=${hex(msg.cookie)}` +
        `${msg.cookieMask ? `/${hex(msg.cookieMask)}` : ''}` +
        `${msg.idleTimeout ? ` idle_timeout=${msg.idleTimeout}` : ''}${msg.hardTimeout ? ` hard_timeout=${msg.hardTimeout}` : ''}` +
        `${msg.flags ? ` flags=${hex(msg.flags)}` : ''} ${formatMatch(msg.match)} actions=${formatInstructions(msg.instructions)}`
      );
    case 'meter_mod':
      return `${head} ${msg.command} ${formatMeter(msg)}`;
    case 'group_mod':
      return `${head} ${msg.command} group_id=${msg.groupId},type=${msg.groupType},${msg.buckets.map(formatBucket).join(',')}`;
    case 'multipart_request':
      return `${head} ${formatMultipartRequest(msg.body)}`;
    case 'multipart_reply':
      return `${head}${msg.flags & 1 ? ' (more)' : ''} ${formatMultipartReply(msg.body)}`;
    case 'role_request':
    case 'role_reply':
      return `${head} role=${msg.role} generation_id=${msg.generationId}`;
    case 'raw':
      return `${msgTypeName.get(msg.msgType) ?? `TYPE_${msg.msgType}`} xid=${msg.xid} ${msg.body.length} bytes`;
    default:
      return head;
  }
}
